namespace Child10.Advocacy.Tests.Infrastructure;

/// <summary>Locates the repository the tests run from, for scripts and the web project's content root.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string WebProject => Path.Combine(Root, "src", "Child10.Advocacy.Web");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Child10.Advocacy.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Child10.Advocacy.sln not found above " + AppContext.BaseDirectory);
    }
}
