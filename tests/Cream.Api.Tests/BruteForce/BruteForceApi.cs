using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.BruteForce;

/// <summary>
/// Test-host only: takes the client address from a request header, since the test server
/// has none, so each test can be "a client" of its own (or many).
/// </summary>
public sealed class ClientAddressFromHeader : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address))
            {
                context.Connection.RemoteIpAddress = address;
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>What everything stored about a user looks like; a refused attempt must leave it as it was.</summary>
public sealed record StoredState(DateTime? LastLogin, DateTime UpdatedAt, string PasswordHash, int Sessions, int RefreshTokens, int ConsumedRefreshTokens, DateTime? LastActivity);

public static class BruteForceApi
{
    public const string WrongPassword = "not-the-password-1";

    /// <summary>A per-address limit low enough to reach in a test.</summary>
    public const int PerIpPerMinute = 5;

    /// <summary>A host of the same deployment (database, key, clock, Redis) with the low per-address limit and addresses taken from <see cref="ClientAddressFromHeader.Header"/>.</summary>
    public static WebApplicationFactory<Program> WithLowAddressLimit(this WebApplicationFactory<Program> factory) =>
        factory.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("RateLimits:PerIpPerMinute", PerIpPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
        });

    /// <summary>A random address of the documentation range 2001:db8::/32, in a /64 of its own.</summary>
    public static string NewAddress()
    {
        var bytes = RandomNumberGenerator.GetBytes(16);
        (bytes[0], bytes[1], bytes[2], bytes[3]) = (0x20, 0x01, 0x0d, 0xb8);
        return new IPAddress(bytes).ToString();
    }

    public static HttpClient ClientFrom(this WebApplicationFactory<Program> factory, string address)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, address);
        return client;
    }

    public static Task<HttpResponseMessage> PostLoginJsonAsync(this HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password });

    public static Task<HttpResponseMessage> PostRefreshAsync(this HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = refreshToken });

    public static Task<HttpResponseMessage> PostRefreshGrantAsync(this HttpClient client, string refreshToken) =>
        client.PostAsync("/api/auth/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }));

    public static async Task<HttpStatusCode> StatusOfAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        return response.StatusCode;
    }

    /// <summary>Fails <paramref name="times"/> logins for the email, asserting each is an ordinary 401.</summary>
    public static async Task FailLoginsAsync(this HttpClient client, string email, int times)
    {
        for (var attempt = 0; attempt < times; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusOfAsync(client.PostLoginFormAsync(email, WrongPassword)));
        }
    }

    /// <summary>Asserts a 429 problem detail with its <c>detail</c> and returns its <c>Retry-After</c> in seconds.</summary>
    public static async Task<int> AssertTooManyAttemptsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(BruteForceGuard.TooManyAttemptsDetail, await response.DetailAsync());
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("access_token", body, StringComparison.Ordinal);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.Equal(TimeSpan.FromSeconds(Math.Round(retryAfter.Value.TotalSeconds)), retryAfter.Value);
        return (int)retryAfter.Value.TotalSeconds;
    }

    public static Task<StoredState> StoredStateAsync(this CreamApiFactory factory, string email)
    {
        var normalized = EmailAddress.Key(email);
        return factory.WithDbAsync(async db =>
        {
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.NormalizedEmail == normalized);
            var sessions = db.Sessions.Where(s => s.UserId == user.Id);
            var tokens = db.RefreshTokens.Where(t => sessions.Any(s => s.Id == t.SessionId));
            return new StoredState(
                user.LastLogin,
                user.UpdatedAt,
                user.PasswordHash,
                await sessions.CountAsync(),
                await tokens.CountAsync(),
                await tokens.CountAsync(t => t.ConsumedAt != null),
                await sessions.MaxAsync(s => (DateTime?)s.LastActivity));
        });
    }

    /// <summary>Everything a client sees of a response, but the parts that differ on every request (date, request and trace ids).</summary>
    public static async Task<string> VisibleAnswerAsync(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(header => !header.Key.Equals("Date", StringComparison.OrdinalIgnoreCase)
                && !header.Key.Equals(Cream.Api.Common.HttpHardening.RequestIdHeader, StringComparison.OrdinalIgnoreCase))
            .Select(header => $"{header.Key.ToUpperInvariant()}: {string.Join(",", header.Value)}")
            .Order(StringComparer.Ordinal);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        body.Remove("trace_id");
        body.Remove("request_id");
        return $"{(int)response.StatusCode}\n{string.Join("\n", headers)}\n{body.ToJsonString()}";
    }
}
