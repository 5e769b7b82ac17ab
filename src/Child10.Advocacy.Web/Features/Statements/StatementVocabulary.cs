namespace Child10.Advocacy.Web.Features.Statements;

/// <summary>The kinds and lifecycle of statements, with the labels pages show.</summary>
public static class StatementVocabulary
{
    public static readonly IReadOnlyList<(string Value, string Label)> Kinds =
    [
        ("joint_statement", "Joint statement"), ("position_paper", "Position paper"), ("open_letter", "Open letter"),
        ("consultation_response", "Consultation response"),
    ];

    public static readonly IReadOnlyList<(string Value, string Label)> Statuses =
    [
        ("draft", "Draft"), ("in_signoff", "In sign-off"), ("final", "Final"), ("published", "Published"), ("withdrawn", "Withdrawn"),
    ];

    /// <summary>A statement takes new versions until it is published or withdrawn.</summary>
    public static bool TakesNewVersions(string status) => status is "draft" or "in_signoff" or "final";

    public static bool CanPublish(string status) => status == "final";

    public static bool CanWithdraw(string status) => status != "withdrawn";
}
