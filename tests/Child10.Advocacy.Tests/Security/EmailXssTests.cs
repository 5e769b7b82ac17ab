using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Features.Digests;

namespace Child10.Advocacy.Tests.Security;

/// <summary>Every email template of the product, rendered with hostile values in every field, gives inert HTML.</summary>
public sealed partial class EmailXssTests
{
    private static readonly EmailTemplates Templates = EmailTemplates.Load(Path.Combine(Repository.Root, "email-templates"));

    // Templates whose model has lists or objects. A template whose model is plain strings needs no line here:
    // its fields are found by rendering and filled with hostile text.
    private static readonly Dictionary<string, object> Models = new(StringComparer.Ordinal)
    {
        ["deadline-digest"] = new DeadlineDigestJob.DigestModel(
            Hostile.Text("name"), Hostile.Text("subject"), HasSoon: true, HasWeek: true,
            [new DeadlineDigestJob.DigestItem(Hostile.Text("kind"), Hostile.Text("title"), Hostile.Text("context"), Hostile.Text("due"), Hostile.Url)],
            [new DeadlineDigestJob.DigestItem(Hostile.Text("kind"), Hostile.Text("title"), Hostile.Text("context"), Hostile.Text("due"), Hostile.Url)],
            Hostile.Url),
        ["signoff-request"] = new SignOffRounds.LinkMailModel(
            Hostile.Text("name"), Hostile.Text("organisation"), Hostile.Text("statement"), 2, Hostile.Text("deadline"), Hostile.Url,
            Hostile.Text("lead"), Hostile.Text("lead_email"), HasMessage: true, Hostile.Text("message"), IsAlternate: true, IsReplacement: true,
            IsFinal: false, HasChanges: true, [new SignOffRounds.ChangeLine("+", Hostile.Text("added")), new SignOffRounds.ChangeLine("-", Hostile.Text("removed"))]),
        ["signoff-closed-lead"] = new SignOffRounds.ClosedLeadModel(
            Hostile.Text("name"), Hostile.Text("statement"), 1, Approved: false, Hostile.Text("rule"),
            [new SignOffRounds.OrganisationLine(Hostile.Text("organisation"), Hostile.Text("decision"), HasComment: true, Hostile.Text("comment"))],
            HasNotSigned: true,
            [new SignOffRounds.OrganisationLine(Hostile.Text("organisation"), Hostile.Text("decision"), HasComment: true, Hostile.Text("comment"))],
            Hostile.Url),
    };

    public static TheoryData<string> Names => new(Templates.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void Template_WithHostileValues_RendersInertHtml(string name)
    {
        foreach (var language in new[] { "en", "fr" })
        {
            var email = Render(name, language);

            Hostile.AssertInert(email.Html, $"{name} ({language})");
            Assert.DoesNotContain("<script", email.Html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain('\n', email.Subject);
        }
    }

    private static RenderedEmail Render(string name, string language)
    {
        if (Models.TryGetValue(name, out var model))
        {
            return Templates.Render(name, language, model, Hostile.Url, CancellationToken.None);
        }
        // A briefing's body is rendered from its own inline template (see the Briefings tests); the wrapper around it
        // gets a hostile subject and hostile model values here.
        var wrapped = name == BriefingPlaceholders.FileTemplate
            ? new RenderedEmail(Hostile.Text("subject"), "<p>Body</p>", "Body")
            : null;
        // Find the fields by rendering: each unknown variable becomes a hostile string (a URL for *_url).
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                return wrapped is null
                    ? Templates.Render(name, language, fields, Hostile.Url, CancellationToken.None)
                    : Templates.RenderWrapped(name, language, fields, wrapped, Hostile.Url, CancellationToken.None);
            }
            catch (TemplateRenderException ex) when (MissingVariable().Match(ex.Message) is { Success: true } missing
                                                     && !fields.ContainsKey(missing.Groups[1].Value))
            {
                var field = missing.Groups[1].Value;
                fields[field] = field.EndsWith("_url", StringComparison.Ordinal) ? Hostile.Url : Hostile.Text(field) + "\nsecond line";
            }
            catch (TemplateRenderException ex)
            {
                throw new InvalidOperationException(
                    $"Template {name} needs a model with lists or objects: add one to {nameof(EmailXssTests)}.{nameof(Models)}. ({ex.Message})", ex);
            }
        }
        throw new InvalidOperationException($"Template {name} has more than 100 fields.");
    }

    [GeneratedRegex("`([a-z0-9_]+)`")]
    private static partial Regex MissingVariable();
}
