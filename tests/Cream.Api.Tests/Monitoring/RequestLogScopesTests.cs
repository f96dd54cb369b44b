using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Cream.Api.Common;
using Cream.Api.Monitoring;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace Cream.Api.Tests.Monitoring;

/// <summary>
/// Every log line of a request names its request and trace, and an error reports the same trace,
/// whether the request's trace is Cream's own (the default: the host starts no activity and pushes
/// no scope per request), the host's (its request logging turned back on) or a tracer's.
/// </summary>
public sealed class RequestLogScopesTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    private const int LoginFailedEventId = 1002;
    private const string CallerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerSpanId = "00f067aa0ba902b7";
    private const string CallerTraceParent = $"00-{CallerTraceId}-{CallerSpanId}-01";

    [Fact]
    public async Task By_default_a_request_runs_without_the_hosts_activity()
    {
        var probe = new ActivityProbe();
        using var probed = factory.WithWebHostBuilder(builder =>
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(probe)));

        using var response = await probed.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([false], probe.Seen);
    }

    [Fact]
    public async Task A_line_logged_in_a_request_names_its_request_once_and_the_trace_its_error_reports()
    {
        var failure = await FailedLoginAsync(factory, CallerTraceParent);

        AssertScopesMatch(failure);
        Assert.Equal(CallerTraceId, failure.TraceId);
        Assert.Equal(CallerSpanId, failure.Scope("ParentId"));
    }

    [Fact]
    public async Task A_request_without_traceparent_starts_a_trace_of_its_own()
    {
        var failure = await FailedLoginAsync(factory, traceParent: null);

        AssertScopesMatch(failure);
        Assert.Equal(new string('0', 16), failure.Scope("ParentId"));
    }

    [Fact]
    public async Task With_the_hosts_request_logging_turned_on_a_line_still_names_its_request_once()
    {
        await using var service = new SqliteApiFactory
        {
            Settings = new Dictionary<string, string?> { ["Logging:LogLevel:" + RequestLogScopes.HostCategory] = "Information" },
        };
        await service.InitializeAsync();

        var failure = await FailedLoginAsync(service, CallerTraceParent);

        // The host logs the request itself again, so its own scope and activity are back.
        Assert.Contains(service.Logs.GetSnapshot(), log => log.Category == RequestLogScopes.HostCategory && log.Id.Id == 1);
        AssertScopesMatch(failure);
        Assert.Equal(CallerTraceId, failure.TraceId);
        Assert.Equal(CallerSpanId, failure.Scope("ParentId"));
    }

    [Fact]
    public async Task A_tracer_listening_to_the_host_gets_the_trace_that_the_error_reports()
    {
        // Started, not stopped: the test server may answer before the host stops the activity.
        var started = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity =>
            {
                lock (started)
                {
                    started.Add(activity.Id!);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var failure = await FailedLoginAsync(factory, CallerTraceParent);

        AssertScopesMatch(failure);
        lock (started)
        {
            // The listener hears every host in this process; this request's span is the one the error names.
            Assert.Contains(failure.TraceParent, started);
        }
    }

    [Fact]
    public void Scopes_opened_in_code_are_reported_outermost_first_and_each_closes_back_to_its_parent()
    {
        var scopes = new RequestLogScopes();

        using (scopes.Push("outer"))
        {
            using (scopes.Push("inner"))
            {
                Assert.Equal(["outer", "inner"], Reported(scopes));
            }

            Assert.Equal(["outer"], Reported(scopes));
        }

        Assert.Empty(Reported(scopes));
    }

    private static List<object?> Reported(RequestLogScopes scopes)
    {
        var reported = new List<object?>();
        scopes.ForEachScope((scope, list) => list.Add(scope), reported);
        return reported;
    }

    private static void AssertScopesMatch(LoggedFailure failure)
    {
        Assert.Single(failure.Scopes, scope => scope.ContainsKey("RequestId"));
        Assert.Single(failure.Scopes, scope => scope.ContainsKey("TraceId"));
        Assert.Equal(failure.RequestId, failure.Scope("RequestId"));
        Assert.Equal("/api/auth/login", failure.Scope("RequestPath"));
        Assert.Matches("^[0-9a-f]{32}$", failure.TraceId);
        Assert.Equal(failure.TraceId, failure.Scope("TraceId"));
        Assert.Equal(failure.TraceParent.Split('-')[2], failure.Scope("SpanId"));
    }

    /// <summary>A login for an unknown email: its 401 names the request and trace, its warning line the scopes.</summary>
    private static async Task<LoggedFailure> FailedLoginAsync(CreamApiFactory service, string? traceParent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = ApiHelpers.NewEmail(),
                ["password"] = "scope-test-password-1",
            }),
        };
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        using var response = await service.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var requestId = Assert.Single(response.Headers.GetValues(HttpHardening.RequestIdHeader));
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var line = Assert.Single(service.Logs.GetSnapshot(), log => log.Id.Id == LoginFailedEventId && ScopesOf(log).Any(scope =>
            scope.TryGetValue("RequestId", out var id) && Equals(id, requestId)));
        return new LoggedFailure(requestId, problem["trace_id"]!.GetValue<string>(), ScopesOf(line));
    }

    private static List<Dictionary<string, object?>> ScopesOf(FakeLogRecord log) =>
        [.. log.Scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>().Select(scope => scope.ToDictionary())];

    private sealed record LoggedFailure(string RequestId, string TraceParent, List<Dictionary<string, object?>> Scopes)
    {
        public string TraceId => TraceParent.Split('-')[1];

        public string? Scope(string key) =>
            Scopes.Where(scope => scope.ContainsKey(key)).Select(scope => scope[key]?.ToString()).Single();
    }

    /// <summary>Records, for each request, whether an activity was running when the pipeline began.</summary>
    private sealed class ActivityProbe : IStartupFilter
    {
        public List<bool> Seen { get; } = [];

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                lock (Seen)
                {
                    Seen.Add(Activity.Current is not null || context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpActivityFeature>() is not null);
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
