using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cream.Api.Common;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Monitoring;

/// <summary>The real program with <c>Logging__Console__FormatterName=json</c>: one JSON object per line, tied to its request.</summary>
public sealed partial class JsonLogTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Json_log_lines_carry_the_request_id_that_the_response_shows()
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DataDirectory"] = _folder.Path,
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__Default"] = "Information",
            ["Passwords__Iterations"] = CreamApiFactory.TestPasswordIterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        using var process = Process.Start(ServiceProcess.StartInfo(_folder.Path, environment))!;
        var lines = new List<string>();
        try
        {
            var url = await ReadUntilListeningAsync(process, lines);
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            using var failed = await client.PostLoginFormAsync(ApiHelpers.NewEmail(), "json-log-secret-password");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            var requestId = Assert.Single(failed.Headers.GetValues(HttpHardening.RequestIdHeader));
            var problem = await failed.JsonAsync();
            Assert.Equal(requestId, problem.GetProperty("request_id").GetString());

            var loginFailed = await ReadUntilAsync(process, lines, line => line.GetProperty("EventId").GetInt32() == 1002);

            Assert.Equal("Warning", loginFailed.GetProperty("LogLevel").GetString());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", loginFailed.GetProperty("Timestamp").GetString());
            Assert.Equal("unknown_email", loginFailed.GetProperty("State").GetProperty("Reason").GetString());
            Assert.Contains(loginFailed.GetProperty("Scopes").EnumerateArray(), scope =>
                scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("RequestId", out var id) && id.GetString() == requestId);
            // The problem's trace_id is the W3C trace context; its trace id is the line's.
            var traceId = problem.GetProperty("trace_id").GetString()!.Split('-')[1];
            Assert.Contains(loginFailed.GetProperty("Scopes").EnumerateArray(), scope =>
                scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("TraceId", out var id) && id.GetString() == traceId);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.All(lines, line => Assert.DoesNotContain("json-log-secret-password", line, StringComparison.Ordinal));
    }

    private static async Task<string> ReadUntilListeningAsync(Process process, List<string> lines)
    {
        var listening = await ReadUntilAsync(process, lines, line => ListeningAddress().IsMatch(line.GetProperty("Message").GetString() ?? ""));
        return ListeningAddress().Match(listening.GetProperty("Message").GetString()!).Groups[1].Value;
    }

    /// <summary>Reads stdout line by line, each of which must be a JSON object, until one matches.</summary>
    private static async Task<JsonElement> ReadUntilAsync(Process process, List<string> lines, Func<JsonElement, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
            using var document = JsonDocument.Parse(line);
            if (match(document.RootElement))
            {
                return document.RootElement.Clone();
            }
        }

        throw new InvalidOperationException("The service stopped before logging the expected line: " + await process.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"Now listening on: (http://[0-9.:\[\]]+)")]
    private static partial Regex ListeningAddress();
}
