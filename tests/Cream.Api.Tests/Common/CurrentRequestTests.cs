using System.Net;
using Cream.Api.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cream.Api.Tests.Common;

/// <summary>
/// The hold on the request in flight, on a host of its own: what work sees that the request
/// started and that runs on after the response has gone.
/// </summary>
public sealed class CurrentRequestTests
{
    private const string CallerTraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public async Task Work_that_outlives_its_request_keeps_its_names_and_trace_but_not_the_context()
    {
        var inRequest = new TaskCompletionSource<Seen>(TaskCreationOptions.RunContinuationsAsynchronously);
        var afterwards = new TaskCompletionSource<Seen>(TaskCreationOptions.RunContinuationsAsynchronously);
        var responded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await StartAsync(context =>
        {
            inRequest.SetResult(Seen.Now());
            // Started by the request, finished after it: a fire-and-forget that logs late.
            _ = Task.Run(async () =>
            {
                await responded.Task;
                afterwards.SetResult(Seen.Now());
            });
            return Task.CompletedTask;
        });

        using var request = new HttpRequestMessage(HttpMethod.Get, "/work");
        request.Headers.Add("traceparent", CallerTraceParent);
        using var response = await app.GetTestClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The second request runs on the same server, as the next one on a reused context would.
        using var next = await app.GetTestClient().GetAsync("/other");
        responded.SetResult();

        var during = await inRequest.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var after = await afterwards.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(during.HasContext);
        Assert.False(after.HasContext);
        Assert.Equal("/work", after.Names?.Path.Value);
        Assert.Equal(during.Names, after.Names);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", during.Trace?.TraceId.ToHexString());
        Assert.Equal(during.Trace, after.Trace);
    }

    [Fact]
    public void Outside_a_request_there_is_nothing_to_hold()
    {
        var seen = Seen.Now();

        Assert.False(seen.HasContext);
        Assert.Null(seen.Names);
        Assert.Null(seen.Trace);
    }

    private static async Task<WebApplication> StartAsync(RequestDelegate work)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseTestServer();
        // As Cream runs (ADR 26): the host starts no activity, so the request's own trace is tested.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        var app = builder.Build();
        app.UseCurrentRequest();
        app.MapGet("/work", work);
        app.MapGet("/other", () => "other");
        await app.StartAsync();
        return app;
    }

    private sealed record Seen(bool HasContext, RequestNames? Names, TraceContext? Trace)
    {
        public static Seen Now() => new(CurrentRequest.Context is not null, CurrentRequest.Names, CurrentRequest.Trace);
    }
}
