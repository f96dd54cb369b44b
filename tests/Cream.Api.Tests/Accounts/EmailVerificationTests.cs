using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Email;
using Cream.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cream.Api.Tests.Accounts;

/// <summary>A signup's verification link, over real SMTP: used once, voided by a newer one, expiring.</summary>
public abstract class EmailVerificationTests(MailFixture mail)
{
    private readonly HttpClient _client = mail.Factory.CreateClient();

    [Fact]
    public async Task Signup_mails_a_link_whose_token_verifies_the_email_once()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("verify"));
        Assert.False(new JsonWebToken(user.AccessToken).GetPayloadValue<bool>("email_verified"));

        var token = await mail.TokenAsync(user.Email, "verify-email");
        using var verified = await _client.VerifyEmailAsync(token);
        using var again = await _client.VerifyEmailAsync(token);

        Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("Invalid or expired token", await again.DetailAsync());
        using var me = await mail.Factory.CreateClient(user.AccessToken).GetAsync("/api/auth/me");
        Assert.True((await me.JsonAsync()).GetProperty("is_verified").GetBoolean());
        var tokens = await _client.LoginAsync(user.Email);
        Assert.True(new JsonWebToken(tokens.AccessToken).GetPayloadValue<bool>("email_verified"));
    }

    [Fact]
    public async Task A_resent_link_voids_the_older_one_and_a_verified_email_gets_409()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("resend"));
        var first = await mail.TokenAsync(user.Email, "verify-email");
        using var client = mail.Factory.CreateClient(user.AccessToken);

        using var resent = await client.PostAsync("/api/auth/resend-verification", null);
        var second = await mail.TokenAsync(user.Email, "verify-email", count: 2);

        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        Assert.NotEqual(first, second);
        using var old = await _client.VerifyEmailAsync(first);
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        using var current = await _client.VerifyEmailAsync(second);
        Assert.Equal(HttpStatusCode.NoContent, current.StatusCode);
        using var afterwards = await client.PostAsync("/api/auth/resend-verification", null);
        Assert.Equal(HttpStatusCode.Conflict, afterwards.StatusCode);
        Assert.Equal("Email is already verified", await afterwards.DetailAsync());
    }

    [Fact]
    public async Task Resending_is_limited_per_address_with_retry_after()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("resend.limit"));
        using var client = mail.Factory.CreateClient(user.AccessToken);

        // The signup's link was the first of the hour's five.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PostAsync("/api/auth/resend-verification", null);
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.InRange(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);
            }
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], answers);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("not-a-token-we-ever-issued-but-long-enough-to-look-like-one")]
    public async Task Unknown_or_malformed_tokens_are_400_invalid_or_expired(string token)
    {
        using var response = await _client.VerifyEmailAsync(token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid or expired token", await response.DetailAsync());
    }

    [Fact]
    public async Task The_link_expires_after_the_configured_hours()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("verify.expiry"));
        var token = await mail.TokenAsync(user.Email, "verify-email");

        mail.Factory.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        using var response = await _client.VerifyEmailAsync(token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_link_tokens_never_reach_the_logs()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("verify.logs"));
        var token = await mail.TokenAsync(user.Email, "verify-email");
        using var verified = await _client.VerifyEmailAsync(token);

        Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        Assert.DoesNotContain(mail.Factory.Logs.GetSnapshot(), entry => entry.Message.Contains(token, StringComparison.Ordinal)
            || entry.Message.Contains(user.Email, StringComparison.OrdinalIgnoreCase));
    }
}

public sealed class SqliteEmailVerificationTests(SqliteMailFixture mail) : EmailVerificationTests(mail), IClassFixture<SqliteMailFixture>;

public sealed class PostgresEmailVerificationTests(PostgresMailFixture mail) : EmailVerificationTests(mail), IClassFixture<PostgresMailFixture>;
