using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Common;

/// <summary>
/// An error's <c>trace_id</c> is the request's W3C trace context (README): a new trace for a
/// request that brings none, the caller's trace for one that sends <c>traceparent</c>.
/// </summary>
public sealed partial class TraceIdTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    private const string CallerTraceId = "0af7651916cd43dd8448eb211c80319c";

    [Fact]
    public async Task An_error_carries_a_W3C_trace_id_of_its_own()
    {
        var first = await TraceIdOfUnauthenticatedMe(traceparent: null);
        var second = await TraceIdOfUnauthenticatedMe(traceparent: null);

        Assert.Matches(W3CTraceContext(), first);
        Assert.Matches(W3CTraceContext(), second);
        Assert.NotEqual(TraceOf(first), TraceOf(second));
    }

    [Fact]
    public async Task An_error_carries_the_trace_the_caller_sent()
    {
        var traceId = await TraceIdOfUnauthenticatedMe($"00-{CallerTraceId}-b7ad6b7169203331-01");

        Assert.Matches(W3CTraceContext(), traceId);
        Assert.Equal(CallerTraceId, TraceOf(traceId));
    }

    private async Task<string> TraceIdOfUnauthenticatedMe(string? traceparent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }

        using var response = await factory.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.NotEqual(body["request_id"]!.GetValue<string>(), body["trace_id"]!.GetValue<string>());
        return body["trace_id"]!.GetValue<string>();
    }

    private static string TraceOf(string traceContext) => traceContext.Split('-')[1];

    [GeneratedRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")]
    private static partial Regex W3CTraceContext();
}
