namespace Child10.Advocacy.Web.Features.Stakeholders;

/// <summary>The fixed value lists of the stakeholder records, with the labels people see. Database checks hold the same values.</summary>
public static class Vocabulary
{
    public static readonly IReadOnlyList<(string Value, string Label)> OrganisationKinds =
    [
        ("member", "Awarded member organisation"),
        ("government", "Government body"),
        ("parliament", "Parliament or committee"),
        ("intergovernmental", "Intergovernmental body"),
        ("ngo", "NGO"),
        ("private_sector", "Private-sector partner"),
        ("media", "Media"),
        ("other", "Other"),
    ];

    public static readonly IReadOnlyList<(string Value, string Label)> PersonCategories =
    [
        ("decision_maker", "Decision-maker"),
        ("member_contact", "Member contact"),
        ("signatory", "Signatory"),
        ("other", "Other contact"),
    ];

    public static readonly IReadOnlyList<(string Value, string Label)> Jurisdictions =
    [
        ("national", "National"),
        ("regional", "Regional"),
        ("international", "International"),
    ];

    public static readonly IReadOnlyList<(string Value, string Label)> LawfulBases =
    [
        ("consent", "Consent"),
        ("legitimate_interest", "Legitimate interest"),
        ("public_task", "Public task"),
        ("contract", "Contract"),
        ("legal_obligation", "Legal obligation"),
        ("vital_interest", "Vital interest"),
    ];

    public static readonly IReadOnlyList<(string Value, string Label)> InteractionKinds =
    [
        ("meeting", "Meeting"),
        ("call", "Call"),
        ("email", "Email"),
        ("letter", "Letter"),
        ("event", "Event"),
        ("submission", "Submission"),
    ];

    /// <summary>Languages offered for a person's preferred language (ISO 639-1); any two-letter code is stored.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Languages =
    [
        ("en", "English"), ("fr", "French"), ("es", "Spanish"), ("ar", "Arabic"), ("ru", "Russian"),
        ("pt", "Portuguese"), ("de", "German"), ("ro", "Romanian"), ("sq", "Albanian"), ("sv", "Swedish"),
        ("sw", "Swahili"), ("ne", "Nepali"), ("tl", "Tagalog"), ("hi", "Hindi"), ("uk", "Ukrainian"), ("it", "Italian"),
    ];

    public static string Label(IReadOnlyList<(string Value, string Label)> list, string? value) =>
        value is null ? "" : list.FirstOrDefault(item => item.Value == value).Label ?? value;

    public static bool Contains(IReadOnlyList<(string Value, string Label)> list, string? value) =>
        value is not null && list.Any(item => item.Value == value);
}
