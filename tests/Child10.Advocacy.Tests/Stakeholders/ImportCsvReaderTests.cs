using System.Text;
using Child10.Advocacy.Web.Features.Stakeholders.Import;

namespace Child10.Advocacy.Tests.Stakeholders;

public sealed class ImportCsvReaderTests
{
    [Fact]
    public void Decode_StripsTheByteOrderMark()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("full_name\nSöderström\n")];

        var table = CsvReader.Parse(CsvReader.Decode(bytes));

        Assert.Equal(["full_name"], table.Header);
        Assert.Equal("Söderström", table.Records[0].Fields[0]);
    }

    [Fact]
    public void Decode_InvalidUtf8_NamesTheLine()
    {
        var bytes = Encoding.UTF8.GetBytes("full_name\nAnna\n").Concat(new byte[] { 0x53, 0xF6, 0x64, 0x0A }).ToArray(); // Latin-1 "Söd"

        var error = Assert.Throws<CsvFormatException>(() => CsvReader.Decode(bytes));

        Assert.Equal(3, error.Line);
        Assert.Contains("not UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SemicolonHeader_UsesSemicolons()
    {
        var table = CsvReader.Parse("full_name;organisation\r\n\"Diallo, Amina\";Ministry of Justice\r\n");

        Assert.Equal(';', table.Delimiter);
        Assert.Equal(["Diallo, Amina", "Ministry of Justice"], table.Records[0].Fields);
    }

    [Fact]
    public void Parse_CommaHeaderWithQuotedSemicolon_UsesCommas()
    {
        var table = CsvReader.Parse("\"a;b\",c\n1,2\n");

        Assert.Equal(',', table.Delimiter);
        Assert.Equal(["a;b", "c"], table.Header);
    }

    [Fact]
    public void Parse_QuotedFieldsWithDelimitersDoubledQuotesAndNewlines_KeepsThemAndCountsRows()
    {
        var text = "name,notes\r\nA,\"says \"\"hello\"\", twice\"\r\nB,\"line one\r\nline two\nline three\"\r\nC,plain";

        var table = CsvReader.Parse(text);

        Assert.Equal(3, table.Records.Count);
        Assert.Equal("says \"hello\", twice", table.Records[0].Fields[1]);
        Assert.Equal("line one\r\nline two\nline three", table.Records[1].Fields[1]);
        Assert.Equal([2, 3, 4], table.Records.Select(r => r.Row));
        Assert.Equal(6, table.Records[2].Line);
    }

    [Fact]
    public void Parse_LfOnlyAndTrailingEmptyField_ReadsEveryField()
    {
        var table = CsvReader.Parse("a,b,c\n1,,\n");

        Assert.Equal(["1", "", ""], table.Records[0].Fields);
    }

    [Fact]
    public void Parse_BlankLine_IsCountedAsARowButSkipped()
    {
        var table = CsvReader.Parse("a\n1\n\n2\n");

        Assert.Equal([2, 4], table.Records.Select(r => r.Row));
    }

    [Fact]
    public void Parse_UnclosedQuote_NamesTheLineWhereItOpened()
    {
        var error = Assert.Throws<CsvFormatException>(() => CsvReader.Parse("a,b\n1,2\n3,\"never closed\n4,5\n"));

        Assert.Equal(3, error.Line);
        Assert.StartsWith("line 3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_QuoteInsideUnquotedField_NamesTheLine()
    {
        var error = Assert.Throws<CsvFormatException>(() => CsvReader.Parse("a,b\n1,2\n3,4 \"inch\"\n"));

        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Parse_TextAfterClosingQuote_NamesTheLine()
    {
        var error = Assert.Throws<CsvFormatException>(() => CsvReader.Parse("a,b\n\"x\ny\"z,2\n"));

        Assert.Equal(3, error.Line);
    }

    [Theory]
    [InlineData("Full Name", "full_name")]
    [InlineData("  full_name ", "full_name")]
    [InlineData("Privacy notice sent on", "privacy_notice_sent_on")]
    [InlineData("do-not-contact", "do_not_contact")]
    public void NormaliseHeader_IsTolerantOfCaseAndSpaces(string header, string expected) =>
        Assert.Equal(expected, ImportColumns.NormaliseHeader(header));

    [Fact]
    public void Template_ParsesBackToTheDocumentedHeaders()
    {
        var table = CsvReader.Parse(CsvReader.Decode(ImportColumns.Template(ImportColumns.People)));

        Assert.Equal(ImportColumns.PeopleColumns.Select(c => c.Name), table.Header);
        Assert.Equal(ImportColumns.People, ImportColumns.Detect(table.Header));
        Assert.Single(table.Records);
    }
}
