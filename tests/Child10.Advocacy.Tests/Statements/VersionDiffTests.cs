using Child10.Advocacy.Web.Features.Statements;

namespace Child10.Advocacy.Tests.Statements;

public sealed class VersionDiffTests
{
    [Fact]
    public void Compute_ChangedWord_MarksOnlyThatWordOnBothSides()
    {
        var diff = VersionDiff.Compute(
            "Every child on the move needs a guardian.\nSigned by the network.",
            "Every child on the move needs a qualified guardian.\nSigned by the network.");

        Assert.Equal(1, diff.Deleted);
        Assert.Equal(1, diff.Inserted);
        var inserted = diff.Lines.Single(l => l.Kind == DiffKind.Inserted);
        Assert.Contains(inserted.Pieces, p => p.Kind == DiffKind.Inserted && p.Text.Contains("qualified", StringComparison.Ordinal));
        Assert.DoesNotContain(inserted.Pieces, p => p.Kind == DiffKind.Inserted && p.Text.Contains("Every", StringComparison.Ordinal));
        Assert.Equal(DiffKind.Unchanged, diff.Lines[^1].Kind);
    }

    [Fact]
    public void Compute_SameTextWithOtherLineEndings_HasNoChanges()
    {
        var diff = VersionDiff.Compute("One.\r\nTwo.  \r\n", "One.\nTwo.");

        Assert.False(diff.HasChanges);
        Assert.Equal(0, diff.Divergence);
    }

    [Fact]
    public void ContentHash_IgnoresLineEndingsButNotWords()
    {
        Assert.Equal(StatementText.ContentHash("T", "a\r\nb"), StatementText.ContentHash("T", "a\nb"));
        Assert.NotEqual(StatementText.ContentHash("T", "a\nb"), StatementText.ContentHash("T", "a\nc"));
        Assert.NotEqual(StatementText.ContentHash("T", "a"), StatementText.ContentHash("U", "a"));
    }
}
