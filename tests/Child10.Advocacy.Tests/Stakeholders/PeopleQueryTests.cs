using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Stakeholders;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed class PeopleQueryTests(TestDatabase database) : IAsyncLifetime
{
    public Task InitializeAsync() => database.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<string>> NamesAsync(PeopleFilter filter)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var page = await PeopleQuery.SearchAsync(db, filter, 500, CancellationToken.None);
        Assert.Equal(page.Total, page.Rows.Count);
        return page.Rows.Select(r => r.FullName).ToList();
    }

    [Theory]
    [InlineData("Asa", "Åsa Lindström")]
    [InlineData("lindstrom", "Åsa Lindström")]
    [InlineData("LINDSTRÖM", "Åsa Lindström")]
    [InlineData("Ciobânu", "Ion Ciobanu")]
    [InlineData("ciob", "Ion Ciobanu")]
    [InlineData("Turcanu", "Doina Țurcanu")]
    [InlineData("Sodertalje", "Karin Berg")]
    [InlineData("Johan Wikstrom", "Johan Wickström")]
    [InlineData("O'Brien", "Siobhán O'Brien")]
    [InlineData("siobhan", "Siobhán O'Brien")]
    [InlineData("I.Ciobanu@mlsp.gov.md.example", "Ion Ciobanu")]
    [InlineData("State Secretary", "Ion Ciobanu")]
    public async Task Search_IsAccentInsensitiveBothWays_AndCoversNamePositionEmailOrganisation(string q, string expected)
    {
        var trygga = await PeopleTestData.OrganisationAsync(database, "Föreningen Trygga Spår Södertälje", "member", "SE");
        await PeopleTestData.PersonAsync(database, "Åsa Lindström", country: "SE");
        await PeopleTestData.PersonAsync(database, "Ion Ciobanu", position: "State Secretary", email: "i.ciobanu@mlsp.gov.md.example", country: "MD");
        await PeopleTestData.PersonAsync(database, "Doina Țurcanu", country: "MD");
        await PeopleTestData.PersonAsync(database, "Karin Berg", trygga, "member_contact", "SE");
        await PeopleTestData.PersonAsync(database, "Johan Wickström", country: "SE");
        await PeopleTestData.PersonAsync(database, "Siobhán O'Brien", country: "IE");
        await PeopleTestData.PersonAsync(database, "Unrelated Person", country: "FR");

        var names = await NamesAsync(new PeopleFilter { Q = q });

        Assert.Contains(expected, names);
        Assert.DoesNotContain("Unrelated Person", names);
    }

    [Theory]
    [InlineData("a & b | !c")]
    [InlineData("'; drop table person; --")]
    [InlineData("\\:* <-> (x")]
    [InlineData("ŉ ʼ ː ˆ ʺ")]
    [InlineData("!!!")]
    [InlineData("%_%")]
    public async Task Search_WithQuerySyntaxOrSql_IsHarmless(string q)
    {
        await PeopleTestData.PersonAsync(database, "Siobhán O'Brien");

        var names = await NamesAsync(new PeopleFilter { Q = q });

        Assert.DoesNotContain("Siobhán O'Brien", names);
        Assert.Equal(1L, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from person"));
    }

    [Theory]
    [InlineData("O'Brien  Söder", "o:* & brien:* & soder:*")]
    [InlineData("a & b | !c", "a:* & b:* & c:*")]
    [InlineData("'; drop table person; --", "drop:* & table:* & person:*")]
    [InlineData("ŉ", "n:*")]
    [InlineData("!&|:*()'\"\\", null)]
    [InlineData("   ", null)]
    public void TsQuery_KeepsOnlyWordsAsPrefixes(string q, string? expected) =>
        Assert.Equal(expected, PeopleQuery.TsQuery(q));

    [Fact]
    public async Task EachFilter_NarrowsTheList()
    {
        var ministry = await PeopleTestData.OrganisationAsync(database, "Ministry of Labour", "government", "MD");
        var member = await PeopleTestData.OrganisationAsync(database, "Zori Senine", "member", "MD");
        await PeopleTestData.PersonAsync(database, "Ana Ministry", ministry, "decision_maker", "MD", language: "ro", jurisdiction: "national", themes: ["Legal reform"]);
        await PeopleTestData.PersonAsync(database, "Bea Member", member, "member_contact", "MD", language: "ro", themes: ["Prevention"]);
        await PeopleTestData.PersonAsync(database, "Carl Sweden", null, "signatory", "SE", language: "sv", jurisdiction: "regional", doNotContact: true);
        await PeopleTestData.PersonAsync(database, "Dana Kenya", null, "other", "KE", jurisdiction: "international", themes: ["Legal reform", "Child labour"]);
        await PeopleTestData.PersonAsync(database, "Eve Erased", ministry, "decision_maker", "MD", language: "ro", erased: true);
        var legalReform = await PeopleTestData.ScalarAsync<long>(database, "select id from theme where name = 'Legal reform'");
        var africa = await PeopleTestData.ScalarAsync<long>(database, "select id from region where name = 'Africa'");

        Assert.Equal(["Ana Ministry", "Bea Member", "Carl Sweden", "Dana Kenya"], await NamesAsync(new PeopleFilter()));
        Assert.Equal(["Bea Member"], await NamesAsync(new PeopleFilter { Category = "member_contact" }));
        Assert.Equal(["Ana Ministry"], await NamesAsync(new PeopleFilter { OrganisationKind = "government" }));
        Assert.Equal(["Carl Sweden"], await NamesAsync(new PeopleFilter { Country = "se" }));
        Assert.Equal(["Dana Kenya"], await NamesAsync(new PeopleFilter { RegionId = africa }));
        Assert.Equal(["Ana Ministry", "Dana Kenya"], await NamesAsync(new PeopleFilter { ThemeId = legalReform }));
        Assert.Equal(["Carl Sweden"], await NamesAsync(new PeopleFilter { Jurisdiction = "regional" }));
        Assert.Equal(["Ana Ministry", "Bea Member"], await NamesAsync(new PeopleFilter { Language = "ro" }));
        Assert.Equal(["Carl Sweden"], await NamesAsync(new PeopleFilter { DoNotContact = true }));
        Assert.Equal(["Ana Ministry", "Bea Member", "Dana Kenya"], await NamesAsync(new PeopleFilter { DoNotContact = false }));
        Assert.Equal(["Bea Member"], await NamesAsync(new PeopleFilter { OrganisationId = member }));
        Assert.Equal(["Ana Ministry"], await NamesAsync(new PeopleFilter { Country = "MD", ThemeId = legalReform }));
        Assert.Empty(await NamesAsync(new PeopleFilter { Category = "'; drop table person; --", Country = "' or 1=1 --" }));
        Assert.Empty(await NamesAsync(new PeopleFilter { Q = "Eve" }));
    }

    [Fact]
    public async Task Search_MatchingWords_ShowsOnlyThoseMatches_AndFallsBackToSimilarSpellingsWhenNothingMatches()
    {
        await PeopleTestData.PersonAsync(database, "Johan Wickström", country: "SE");
        await PeopleTestData.PersonAsync(database, "Johanna Wikström", country: "SE");
        await PeopleTestData.PersonAsync(database, "Unrelated Person", country: "FR");
        await using var db = await database.DataSource.OpenConnectionAsync();

        // "Wikstrom" is a word of one name: only that person, not the similar spelling.
        var exact = await PeopleQuery.SearchAsync(db, new PeopleFilter { Q = "Wikstrom" }, 50, CancellationToken.None);
        Assert.Equal(["Johanna Wikström"], exact.Rows.Select(r => r.FullName));
        Assert.False(exact.SimilarSpellings);

        // "Wickstrum" matches no word: names spelled like it, said so.
        var similar = await PeopleQuery.SearchAsync(db, new PeopleFilter { Q = "Johan Wickstrum" }, 50, CancellationToken.None);
        Assert.True(similar.SimilarSpellings);
        Assert.Contains("Johan Wickström", similar.Rows.Select(r => r.FullName));
        Assert.DoesNotContain("Unrelated Person", similar.Rows.Select(r => r.FullName));
        Assert.Equal(similar.Rows.Count, similar.Total);

        // The export, segments and audiences count and list the same people as the page.
        Assert.Equal(similar.Total, await PeopleQuery.CountAsync(db, new PeopleFilter { Q = "Johan Wickstrum" }, CancellationToken.None));
        var all = new List<string>();
        await foreach (var row in PeopleQuery.AllAsync(db, new PeopleFilter { Q = "Johan Wickstrum" }, withThemes: false, CancellationToken.None))
        {
            all.Add(row.FullName);
        }
        Assert.Equal(similar.Rows.Select(r => r.FullName), all);
        Assert.Equal(1, await PeopleQuery.CountAsync(db, new PeopleFilter { Q = "Wikstrom" }, CancellationToken.None));
    }

    [Fact]
    public async Task Search_PagesThroughItsMatches_WithTheTotal_AlsoPastTheLastPage()
    {
        for (var i = 1; i <= 60; i++)
        {
            await PeopleTestData.PersonAsync(database, $"Ana Santos {i:00}", country: i % 2 == 0 ? "PT" : "BR");
        }
        await PeopleTestData.PersonAsync(database, "Someone Else", country: "PT");
        await using var db = await database.DataSource.OpenConnectionAsync();

        var second = await PeopleQuery.SearchAsync(db, new PeopleFilter { Q = "santos", Page = 2 }, 25, CancellationToken.None);
        var inPortugal = await PeopleQuery.SearchAsync(db, new PeopleFilter { Q = "santos", Country = "PT", Sort = "name", Descending = true }, 25, CancellationToken.None);
        var past = await PeopleQuery.SearchAsync(db, new PeopleFilter { Q = "santos", Page = 9 }, 25, CancellationToken.None);

        Assert.Equal(60, second.Total);
        Assert.Equal(Enumerable.Range(26, 25).Select(i => $"Ana Santos {i:00}"), second.Rows.Select(r => r.FullName));
        Assert.Equal(30, inPortugal.Total);
        Assert.Equal(Enumerable.Range(1, 60).Where(i => i % 2 == 0).Reverse().Take(25).Select(i => $"Ana Santos {i:00}"), inPortugal.Rows.Select(r => r.FullName));
        Assert.Equal("Portugal", inPortugal.Rows[0].CountryName);
        Assert.Empty(past.Rows);
        Assert.Equal(60, past.Total);
    }

    [Fact]
    public async Task Paging_GivesFiftyRowsAPage_InOrder_WithTheTotal()
    {
        for (var i = 1; i <= 120; i++)
        {
            await PeopleTestData.PersonAsync(database, $"Person {i:000}");
        }
        await using var db = await database.DataSource.OpenConnectionAsync();

        var first = await PeopleQuery.SearchAsync(db, new PeopleFilter(), 50, CancellationToken.None);
        var second = await PeopleQuery.SearchAsync(db, new PeopleFilter { Page = 2 }, 50, CancellationToken.None);
        var third = await PeopleQuery.SearchAsync(db, new PeopleFilter { Page = 3 }, 50, CancellationToken.None);

        Assert.Equal(120, first.Total);
        Assert.Equal(3, first.PageCount);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => $"Person {i:000}"), first.Rows.Select(r => r.FullName));
        Assert.Equal(Enumerable.Range(51, 50).Select(i => $"Person {i:000}"), second.Rows.Select(r => r.FullName));
        Assert.Equal(Enumerable.Range(101, 20).Select(i => $"Person {i:000}"), third.Rows.Select(r => r.FullName));
        Assert.Equal((51, 100), (second.FirstNumber, second.LastNumber));
    }

    [Fact]
    public async Task Sort_FollowsTheWhitelist_AndRefusesAnythingElse()
    {
        var zeta = await PeopleTestData.OrganisationAsync(database, "Zeta Ministry", "government");
        var alpha = await PeopleTestData.OrganisationAsync(database, "Alpha Council", "government");
        await PeopleTestData.PersonAsync(database, "Anna", zeta, country: "SE");
        await PeopleTestData.PersonAsync(database, "Bruno", alpha, country: "AL");
        await PeopleTestData.PersonAsync(database, "Chloé", null, country: "FR");

        Assert.Equal(["Bruno", "Anna", "Chloé"], await NamesAsync(new PeopleFilter { Sort = "organisation" }));
        Assert.Equal(["Anna", "Bruno", "Chloé"], await NamesAsync(new PeopleFilter { Sort = "organisation", Descending = true }));
        Assert.Equal(["Bruno", "Chloé", "Anna"], await NamesAsync(new PeopleFilter { Sort = "country" }));
        Assert.Equal(["Chloé", "Bruno", "Anna"], await NamesAsync(new PeopleFilter { Sort = "name", Descending = true }));
        Assert.False(PeopleQuery.IsKnownSort("full_name;drop table person"));
        await Assert.ThrowsAsync<ArgumentException>(() => NamesAsync(new PeopleFilter { Sort = "full_name;drop table person" }));
    }

    [Fact]
    public async Task NameOrder_IgnoresAccentsAndCase_InTheListTheCountryListAndASearch()
    {
        // By code point, every name starting with an accented letter would follow "Zoe".
        foreach (var name in new[] { "Zoe Kovač", "élise Santos", "Álvaro Santos", "Bruno Santos", "Ömer Santos", "Emil Santos" })
        {
            await PeopleTestData.PersonAsync(database, name, country: "PT");
        }
        string[] expected = ["Álvaro Santos", "Bruno Santos", "élise Santos", "Emil Santos", "Ömer Santos", "Zoe Kovač"];

        Assert.Equal(expected, await NamesAsync(new PeopleFilter()));
        Assert.Equal(expected, await NamesAsync(new PeopleFilter { Country = "PT" }));
        Assert.Equal(expected.Reverse(), await NamesAsync(new PeopleFilter { Country = "PT", Descending = true }));
        Assert.Equal(expected.Where(n => n.EndsWith("Santos", StringComparison.Ordinal)), await NamesAsync(new PeopleFilter { Q = "santos" }));
    }

    [Fact]
    public async Task SortByCountry_ReadsCountryNamesIgnoringAccents()
    {
        // By code point "Åland Islands" would follow "Zimbabwe", and "Côte d'Ivoire" would follow "Czechia".
        foreach (var (name, country) in new[] { ("Zanele", "ZW"), ("Aya", "CI"), ("Ebba", "AX"), ("Tomas", "CZ"), ("Arta", "AL") })
        {
            await PeopleTestData.PersonAsync(database, name, country: country);
        }

        Assert.Equal(["Ebba", "Arta", "Aya", "Tomas", "Zanele"], await NamesAsync(new PeopleFilter { Sort = "country" }));
        Assert.Equal(["Zanele", "Tomas", "Aya", "Arta", "Ebba"], await NamesAsync(new PeopleFilter { Sort = "country", Descending = true }));
    }

    [Fact]
    public async Task AllAsync_StreamsEveryMatchingPerson()
    {
        for (var i = 1; i <= 60; i++)
        {
            await PeopleTestData.PersonAsync(database, $"Member {i:00}", country: i % 2 == 0 ? "MD" : "SE", themes: ["Prevention"]);
        }
        await using var db = await database.DataSource.OpenConnectionAsync();

        var rows = new List<PeopleRow>();
        await foreach (var row in PeopleQuery.AllAsync(db, new PeopleFilter { Country = "MD", Page = 3 }, withThemes: true, CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(30, rows.Count);
        Assert.All(rows, r => Assert.Equal("MD", r.CountryCode));
        Assert.All(rows, r => Assert.Equal("Prevention", r.Themes));
        Assert.Equal(30, await PeopleQuery.CountAsync(db, new PeopleFilter { Country = "MD" }, CancellationToken.None));
    }

    [Fact]
    public async Task AllAsync_WithThemes_GivesEachPersonTheirOwnInNameOrder_AndPagesReadNone()
    {
        await PeopleTestData.PersonAsync(database, "Ana Santos", country: "PT", themes: ["Prevention", "Legal reform", "Child labour"]);
        await PeopleTestData.PersonAsync(database, "Bruno Santos", country: "PT");
        await PeopleTestData.PersonAsync(database, "Carla Santos", country: "PT", themes: ["Prevention"]);
        await using var db = await database.DataSource.OpenConnectionAsync();

        foreach (var filter in new[] { new PeopleFilter { Country = "PT" }, new PeopleFilter { Q = "santos" } })
        {
            var rows = new List<PeopleRow>();
            await foreach (var row in PeopleQuery.AllAsync(db, filter, withThemes: true, CancellationToken.None))
            {
                rows.Add(row);
            }
            Assert.Equal(["Ana Santos", "Bruno Santos", "Carla Santos"], rows.Select(r => r.FullName));
            Assert.Equal(["Child labour, Legal reform, Prevention", null, "Prevention"], rows.Select(r => r.Themes));

            var page = await PeopleQuery.SearchAsync(db, filter, 2, CancellationToken.None);
            Assert.Equal(3, page.Total);
            Assert.Equal(["Ana Santos", "Bruno Santos"], page.Rows.Select(r => r.FullName));
            Assert.All(page.Rows, r => Assert.Null(r.Themes));
        }
    }

    [Fact]
    public void Filter_RoundTripsThroughJson_WithoutSortOrPage()
    {
        var filter = new PeopleFilter { Q = "Ciobanu", Country = "md", ThemeId = 3, DoNotContact = false, Sort = "country", Page = 4 };

        var json = filter.ToJson();
        var back = PeopleFilter.FromJson(json);

        Assert.Equal(new PeopleFilter { Q = "Ciobanu", Country = "MD", ThemeId = 3, DoNotContact = false }, back);
        Assert.DoesNotContain("sort", json, StringComparison.Ordinal);
        Assert.Equal("?q=Ciobanu&country=MD&themeId=3&doNotContact=false", back.ToQueryString());
    }
}
