using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Child10.Advocacy.Tests.Infrastructure;

/// <summary>Keeps the errors an app under test logs, so a failing test can say what went wrong inside it.</summary>
public sealed class CapturedErrors : ILoggerProvider
{
    private readonly ConcurrentQueue<string> errors = new();

    public IReadOnlyCollection<string> All => errors;

    public string Last => errors.LastOrDefault() ?? "(no error logged)";

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedErrors owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
