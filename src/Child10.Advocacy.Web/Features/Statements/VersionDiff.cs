using DiffPlex;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Child10.Advocacy.Web.Features.Statements;

public enum DiffKind
{
    Unchanged,
    Inserted,
    Deleted,
    Modified,
}

/// <summary>One word or run of words within a changed line.</summary>
public sealed record DiffSegment(DiffKind Kind, string Text);

/// <summary>One line of the diff: its kind, its number in the old and new text, and word-level pieces for a modified line.</summary>
public sealed record DiffLine(DiffKind Kind, int? OldNumber, int? NewNumber, string Text, IReadOnlyList<DiffSegment> Pieces);

/// <summary>What changed between two texts (two versions, or a variant and its core), line by line with word detail.</summary>
public sealed record VersionDiffResult(IReadOnlyList<DiffLine> Lines)
{
    public int Inserted => Lines.Count(l => l.Kind == DiffKind.Inserted);

    public int Deleted => Lines.Count(l => l.Kind == DiffKind.Deleted);

    public int Modified => Lines.Count(l => l.Kind == DiffKind.Modified);

    public bool HasChanges => Lines.Any(l => l.Kind != DiffKind.Unchanged);

    /// <summary>Share of lines that differ, 0 to 1: how far a variant has drifted from its core.</summary>
    public double Divergence => Lines.Count == 0 ? 0 : (double)Lines.Count(l => l.Kind != DiffKind.Unchanged) / Lines.Count;
}

public static class VersionDiff
{
    /// <summary>An inline diff: removed lines, then added lines, with changed lines split into words.</summary>
    public static VersionDiffResult Compute(string oldText, string newText)
    {
        var model = SideBySideDiffBuilder.Diff(
            StatementText.Normalise(oldText),
            StatementText.Normalise(newText),
            ignoreWhiteSpace: false,
            ignoreCase: false);
        var lines = new List<DiffLine>();
        for (var i = 0; i < Math.Max(model.OldText.Lines.Count, model.NewText.Lines.Count); i++)
        {
            var old = i < model.OldText.Lines.Count ? model.OldText.Lines[i] : null;
            var @new = i < model.NewText.Lines.Count ? model.NewText.Lines[i] : null;
            if (old?.Type == ChangeType.Modified && @new?.Type == ChangeType.Modified)
            {
                lines.Add(new DiffLine(DiffKind.Deleted, old.Position, null, old.Text, Pieces(old, ChangeType.Deleted)));
                lines.Add(new DiffLine(DiffKind.Inserted, null, @new.Position, @new.Text, Pieces(@new, ChangeType.Inserted)));
                continue;
            }
            if (old is { Type: ChangeType.Deleted or ChangeType.Modified })
            {
                lines.Add(new DiffLine(DiffKind.Deleted, old.Position, null, old.Text!, [new DiffSegment(DiffKind.Deleted, old.Text!)]));
            }
            if (@new is { Type: ChangeType.Inserted or ChangeType.Modified })
            {
                lines.Add(new DiffLine(DiffKind.Inserted, null, @new.Position, @new.Text!, [new DiffSegment(DiffKind.Inserted, @new.Text!)]));
            }
            if (old is { Type: ChangeType.Unchanged } && @new is { Type: ChangeType.Unchanged })
            {
                lines.Add(new DiffLine(DiffKind.Unchanged, old.Position, @new.Position, old.Text!, [new DiffSegment(DiffKind.Unchanged, old.Text!)]));
            }
        }
        return new VersionDiffResult(lines);
    }

    // Words the other side lacks are marked; the rest of the line stays plain.
    private static List<DiffSegment> Pieces(DiffPlex.DiffBuilder.Model.DiffPiece line, ChangeType changed) =>
        line.SubPieces
            .Where(p => p.Type != ChangeType.Imaginary && p.Text is not null)
            .Select(p => new DiffSegment(p.Type == changed || p.Type == ChangeType.Modified ? (changed == ChangeType.Deleted ? DiffKind.Deleted : DiffKind.Inserted) : DiffKind.Unchanged, p.Text!))
            .ToList();
}
