namespace Child10.Advocacy.Bench;

internal static class Chaos
{
    public static Task<int> RunAsync(Options options, CancellationToken ct) => Task.FromResult(0);
}
