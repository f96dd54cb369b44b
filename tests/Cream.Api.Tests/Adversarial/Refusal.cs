using System.Net;
using System.Text.Json;

namespace Cream.Api.Tests.Adversarial;

/// <summary>What every refused token must get back, and what no answer may contain.</summary>
internal static class Refusal
{
    public const string InvalidCredentials = "Could not validate credentials";

    /// <summary>Marks of internals: library error codes, exception type names, stack frames.</summary>
    private static readonly string[] Internals =
        ["IDX", "Exception", "   at ", "Microsoft.", "System.", "StackTrace", "stack_trace", "Cream.Api."];

    /// <summary>401, <c>WWW-Authenticate: Bearer error="invalid_token"</c>, and a problem whose detail is exactly ours.</summary>
    public static async Task AssertInvalidTokenAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized,
            $"expected 401, got {(int)response.StatusCode}: {body}");
        var challenge = Challenge(response);
        Assert.StartsWith("Bearer ", challenge, StringComparison.Ordinal);
        Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        AssertNoInternals(challenge);
        AssertProblem(response, body, InvalidCredentials);
    }

    /// <summary>An <c>application/problem+json</c> body with exactly this detail, and nothing internal in it.</summary>
    public static JsonElement AssertProblem(HttpResponseMessage response, string body, string detail)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        AssertNoInternals(body);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(detail, document.RootElement.GetProperty("detail").GetString());
        return document.RootElement.Clone();
    }

    public static void AssertNoInternals(string text)
    {
        foreach (var mark in Internals)
        {
            Assert.DoesNotContain(mark, text, StringComparison.Ordinal);
        }
    }

    public static string Challenge(HttpResponseMessage response) =>
        response.Headers.TryGetValues("WWW-Authenticate", out var values) ? string.Join(", ", values) : string.Empty;
}
