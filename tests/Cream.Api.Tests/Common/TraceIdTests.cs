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
    private const string OtherTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerTraceIdUpper = "0AF7651916CD43DD8448EB211C80319C";

    [Fact]
    public async Task An_error_carries_a_W3C_trace_id_of_its_own()
    {
        var first = await TraceIdOfUnauthenticatedMe();
        var second = await TraceIdOfUnauthenticatedMe();

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

    [Theory]
    [InlineData($"00-{CallerTraceIdUpper}-b7ad6b7169203331-01")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData($"00-{CallerTraceId}-0000000000000000-01")]
    [InlineData($"ff-{CallerTraceId}-b7ad6b7169203331-01")]
    [InlineData($"00-{CallerTraceId}-b7ad6b7169203331")]
    [InlineData($"00-{CallerTraceId}-b7ad6b7169203331-01-<script>")]
    [InlineData("not a trace context")]
    public async Task An_invalid_traceparent_starts_a_new_trace(string traceparent)
    {
        var traceId = await TraceIdOfUnauthenticatedMe(traceparent);

        Assert.Matches(W3CTraceContext(), traceId);
        Assert.NotEqual(CallerTraceId, TraceOf(traceId));
    }

    [Fact]
    public async Task Two_traceparent_headers_start_a_new_trace()
    {
        var traceId = await TraceIdOfUnauthenticatedMe(
            $"00-{CallerTraceId}-b7ad6b7169203331-01", $"00-{OtherTraceId}-00f067aa0ba902b7-01");

        Assert.Matches(W3CTraceContext(), traceId);
        Assert.NotEqual(CallerTraceId, TraceOf(traceId));
        Assert.NotEqual(OtherTraceId, TraceOf(traceId));
    }

    private async Task<string> TraceIdOfUnauthenticatedMe(params string?[] traceparents)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        foreach (var traceparent in traceparents.OfType<string>())
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceparent);
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
