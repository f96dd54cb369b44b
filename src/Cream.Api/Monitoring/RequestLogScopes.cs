using System.Collections;
using Cream.Api.Common;

namespace Cream.Api.Monitoring;

/// <summary>
/// The scopes every log line carries (ADR 26), in this order: the trace it was written in
/// (<c>SpanId</c>, <c>TraceId</c>, <c>ParentId</c>, as the logger's activity tracking names and
/// writes them), the request (<c>RequestPath</c>, <c>RequestId</c>, as the host's own scope does),
/// then the scopes code opened with <c>BeginScope</c>, outermost first. The first two are read
/// from <see cref="CurrentRequest"/> when a line is written, so a request that logs nothing pays
/// nothing for them; the host's own request scope and activity, which it makes for every request
/// while its category logs at all, are off by default. When an operator turns that category back
/// on, the host's scope names the request and this one stands aside.
/// </summary>
internal sealed class RequestLogScopes : IExternalScopeProvider
{
    /// <summary>The category under which the host logs requests and scopes each one.</summary>
    public const string HostCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private readonly AsyncLocal<Opened?> _opened = new();
    private ILogger? _host;

    /// <summary>Lets the scopes know whether the host is scoping requests itself (its category logs at some level).</summary>
    public void Watch(ILoggerFactory loggers) => _host = loggers.CreateLogger(HostCategory);

    public void ForEachScope<TState>(Action<object?, TState> callback, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (CurrentRequest.Trace is { } trace)
        {
            callback(new LogScope(", ",
                new("SpanId", trace.SpanId.ToHexString()),
                new("TraceId", trace.TraceId.ToHexString()),
                new("ParentId", trace.ParentSpanId.ToHexString())), state);
        }

        if (CurrentRequest.Names is { } request && _host?.IsEnabled(LogLevel.Critical) != true)
        {
            callback(new LogScope(" ",
                new("RequestPath", request.Path.ToString()),
                new("RequestId", request.Id)), state);
        }

        Report(_opened.Value, callback, state);
    }

    public IDisposable Push(object? state)
    {
        var opened = new Opened(this, state, _opened.Value);
        _opened.Value = opened;
        return opened;
    }

    /// <summary>Outermost first, as the logger's own scope provider reports them.</summary>
    private static void Report<TState>(Opened? scope, Action<object?, TState> callback, TState state)
    {
        if (scope is null)
        {
            return;
        }

        Report(scope.Parent, callback, state);
        callback(scope.State, state);
    }

    private sealed class Opened(RequestLogScopes owner, object? state, Opened? parent) : IDisposable
    {
        private bool _closed;

        public object? State { get; } = state;

        public Opened? Parent { get; } = parent;

        public void Dispose()
        {
            if (!_closed)
            {
                owner._opened.Value = Parent;
                _closed = true;
            }
        }
    }

    /// <summary>Read as key-value pairs by the JSON formatter, as <c>Key:value</c> text by the simple one.</summary>
    private sealed class LogScope(string separator, params KeyValuePair<string, object?>[] values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => values.Length;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)values).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(separator, values.Select(value => $"{value.Key}:{value.Value}"));
    }
}
