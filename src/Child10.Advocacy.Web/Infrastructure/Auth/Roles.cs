namespace Child10.Advocacy.Web.Infrastructure.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string Lead = "lead";
    public const string Viewer = "viewer";

    public static readonly IReadOnlyList<string> All = [Admin, Lead, Viewer];

    /// <summary>Higher rank wins when a person holds several roles.</summary>
    public static int Rank(string role) => role switch
    {
        Admin => 3,
        Lead => 2,
        Viewer => 1,
        _ => 0,
    };
}

/// <summary>Authorisation policies; a lead handler requires <see cref="CanEdit"/>, an admin one <see cref="AdminOnly"/>.</summary>
public static class Policies
{
    public const string AdminOnly = "admin-only";
    public const string CanEdit = "can-edit";
}

public static class StaffClaims
{
    public const string StaffId = "child10:staff_id";
    public const string TimeZone = "child10:time_zone";
}
