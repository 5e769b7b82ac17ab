using System.Net;
using System.Text;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Statements;
using Microsoft.Extensions.DependencyInjection;
using static Child10.Advocacy.Tests.Statements.StatementTestData;

namespace Child10.Advocacy.Tests.Statements;

[Collection(DatabaseGroup.Name)]
public sealed class StatementExportTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Html_OfAFinalStatement_HasTitleBodySignatoriesAndHash_AndNoDraftMark()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign);
        await StatementTests.SignOffAsync(database, id, "closed", [true, true, false], ["Punte de Speranță", "Zori Noi", "Silent Partner"]);
        await ExecuteAsync(database, "update statement set status = 'final' where id = @id", new { id });

        using var response = await lead.GetAsync($"/statements/{id}/export.html");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<h1>A guardian for every child</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<li>Appoint a guardian within 24 hours.</li>", html, StringComparison.Ordinal);
        Assert.Contains("<li>Punte de Speran", html, StringComparison.Ordinal);
        Assert.Contains("Zori Noi (", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Silent Partner", html, StringComparison.Ordinal);
        Assert.DoesNotContain("DRAFT", html, StringComparison.Ordinal);
        Assert.Contains(StatementText.Hex(StatementText.ContentHash("A guardian for every child", CoreBody)), html, StringComparison.Ordinal);
        // The file's own style block is the only one allowed, and no script may run.
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'sha256-", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_OfADraft_IsMarkedDraft_AndAnOlderVersionCanBeChosen()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign, body: CoreBody + "\n\n<script>alert(1)</script>");
        using var v2 = await NewVersionAsync(lead, id, "A guardian for every child", CoreBody + "\n\nVersion two.", "Second");

        var latest = await lead.GetStringAsync($"/statements/{id}/export.html");
        var first = await lead.GetStringAsync($"/statements/{id}/export.html?version=1");
        using var missing = await lead.GetAsync($"/statements/{id}/export.html?version=7");

        Assert.Contains("DRAFT — version 2", latest, StringComparison.Ordinal);
        Assert.Contains("Version two.", latest, StringComparison.Ordinal);
        Assert.Contains("DRAFT — version 1", first, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", first, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", first, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Pdf_IsAPdf_WithSeveralPagesForALongText_AndTheSignatories()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var paragraphs = string.Join("\n\n", Enumerable.Range(1, 40).Select(i =>
            $"## Section {i}\n\nParagraph {i}: children on the move need a **qualified guardian** within *24 hours*, shelters run with civil society, and trained border police.\n\n- first point {i}\n- second point {i}\n\n1. numbered ask {i}\n2. another ask {i}"));
        var id = await CoreAsync(lead, campaign, "A long position paper", paragraphs);
        await StatementTests.SignOffAsync(database, id, "closed", [true], ["Asociația Pași"]);
        await ExecuteAsync(database, "update statement set status = 'published', published_at = now() where id = @id", new { id });

        using var response = await lead.GetAsync($"/statements/{id}/export.pdf");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("%PDF", Encoding.ASCII.GetString(bytes, 0, 4));
        using var pdf = PdfSharp.Pdf.IO.PdfReader.Open(new MemoryStream(bytes), PdfSharp.Pdf.IO.PdfDocumentOpenMode.Import);
        Assert.True(pdf.PageCount > 2, $"A text of 40 sections fits on {pdf.PageCount} pages.");
        Assert.Equal("A long position paper", pdf.Info.Title);
        Assert.Contains("A-long-position-paper-v1.pdf", response.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadFinal_IsNullForADraft_AndGivesTheApprovedVersionOfAFinalStatement()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign);
        var documents = app.App.Services.GetRequiredService<StatementDocuments>();
        await using var db = await database.DataSource.OpenConnectionAsync();

        var draft = await documents.LoadFinalAsync(db, id, CancellationToken.None);
        await StatementTests.SignOffAsync(database, id, "closed", [true], ["Ujyalo Nepal"]);
        await ExecuteAsync(database, "update statement set status = 'final' where id = @id", new { id });
        var final = await documents.LoadFinalAsync(db, id, CancellationToken.None);

        Assert.Null(draft);
        Assert.NotNull(final);
        Assert.Equal(1, final.VersionNumber);
        Assert.False(final.IsDraft);
        Assert.Equal(["Ujyalo Nepal (Moldova)"], final.Signatories);
        Assert.Equal("%PDF", Encoding.ASCII.GetString(documents.RenderPdf(final), 0, 4));
    }
}
