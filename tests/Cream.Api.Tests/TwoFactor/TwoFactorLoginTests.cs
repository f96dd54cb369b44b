using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.TwoFactor;

/// <summary>Setup and the two-step login through HTTP, with the test clock driving the time steps (ADR 19).</summary>
public abstract class TwoFactorLoginTests(CreamApiFactory factory)
{
    [Fact]
    public async Task Setup_answers_a_pending_secret_and_its_uri_and_confirmation_turns_two_factor_on_with_ten_recovery_codes()
    {
        var user = await factory.CreateClient().SignupAsync();
        using var client = factory.CreateClient(user.AccessToken);

        using var setup = await client.PostJsonAsync("/api/auth/mfa/totp", new { password = user.Password });
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        Assert.Equal("no-store", setup.Headers.CacheControl?.ToString());
        var body = await setup.JsonAsync();
        var secret = body.GetProperty("secret").GetString()!;
        var uri = new Uri(body.GetProperty("otpauth_uri").GetString()!);
        Assert.Equal(20, OtpNet.Base32Encoding.ToBytes(secret).Length);
        Assert.Equal("otpauth", uri.Scheme);
        Assert.Equal("totp", uri.Host);
        Assert.Contains($"secret={secret}", uri.Query, StringComparison.Ordinal);
        Assert.Contains("issuer=Cream%20API", uri.Query, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString(user.Email), uri.AbsolutePath, StringComparison.Ordinal);
        Assert.False((await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/auth/me")).GetProperty("two_factor_enabled").GetBoolean());
        await factory.CreateClient().LoginAsync(user.Email, user.Password); // pending: the password alone still signs in

        using var wrong = await client.PostJsonAsync("/api/auth/mfa/totp/confirm", new { code = "000000" == factory.Code(secret) ? "111111" : "000000" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(TwoFactorApi.InvalidCode, await wrong.DetailAsync());

        using var confirm = await client.PostJsonAsync("/api/auth/mfa/totp/confirm", new { code = factory.Code(secret) });
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var codes = (await confirm.JsonAsync()).GetProperty("recovery_codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches("^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$", code));
        Assert.True((await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/auth/me")).GetProperty("two_factor_enabled").GetBoolean());
        await factory.CreateClient().MfaTokenAsync(user.Email, user.Password);

        using var again = await client.PostJsonAsync("/api/auth/mfa/totp", new { password = user.Password });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Setup_with_a_wrong_password_is_refused_and_confirmation_without_setup_is_a_conflict()
    {
        var user = await factory.CreateClient().SignupAsync();
        using var client = factory.CreateClient(user.AccessToken);

        using var wrong = await client.PostJsonAsync("/api/auth/mfa/totp", new { password = "not the password at all" });
        using var confirm = await client.PostJsonAsync("/api/auth/mfa/totp/confirm", new { code = "123456" });

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("Password is incorrect", await wrong.DetailAsync());
        Assert.Equal(HttpStatusCode.Conflict, confirm.StatusCode);
    }

    [Fact]
    public async Task Login_with_two_factor_answers_mfa_required_without_a_session_then_a_code_answers_the_token_response()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        var sessionsBefore = await factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.UserId == user.Id));
        using var client = factory.CreateClient();

        using var login = await client.PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal("Bearer", login.Headers.WwwAuthenticate.ToString());
        var body = await login.JsonAsync();
        Assert.Equal("mfa_required", body.GetProperty("error").GetString());
        Assert.Equal(TwoFactorApi.MfaRequired, body.GetProperty("detail").GetString());
        Assert.Equal(300, body.GetProperty("mfa_token_expires_in").GetInt32());
        Assert.False(body.TryGetProperty("access_token", out _));
        Assert.Equal(sessionsBefore, await factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.UserId == user.Id)));

        using var verify = await client.PostVerifyAsync(body.GetProperty("mfa_token").GetString()!, factory.Code(user.Secret));
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        var tokens = (await verify.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.Equal("bearer", tokens.TokenType);
        await factory.AssertAcceptedAsync(tokens.AccessToken);
        Assert.Equal(["pwd", "otp"], TwoFactorApi.AmrOf(tokens.AccessToken));
    }

    [Fact]
    public async Task The_json_login_asks_for_the_code_too_and_the_mfa_otp_grant_finishes_it_on_the_token_endpoint()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = factory.CreateClient();

        using var login = await client.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = user.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        var mfaToken = (await login.JsonAsync()).GetProperty("mfa_token").GetString()!;
        using var grant = await client.PostFormAsync("/api/auth/login",
            ("grant_type", TwoFactorApi.MfaGrant), ("mfa_token", mfaToken), ("otp", factory.Code(user.Secret)));

        Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        await factory.AssertAcceptedAsync((await grant.Content.ReadFromJsonAsync<TokenBody>())!.AccessToken);
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once_and_only_once()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        var code = user.RecoveryCodes[3];

        var tokens = await factory.LoginWithCodeAsync(user, code.ToUpperInvariant().Replace("-", " ", StringComparison.Ordinal));
        Assert.Equal(["pwd", "otp"], TwoFactorApi.AmrOf(tokens.AccessToken));

        using var client = factory.CreateClient();
        using var again = await client.PostVerifyAsync(await client.MfaTokenAsync(user.Email, user.Password), code);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal(TwoFactorApi.InvalidCode, await again.DetailAsync());
        Assert.Equal(9, await factory.WithDbAsync(db => db.RecoveryCodes.CountAsync(c => c.UserId == user.Id)));
    }

    [Fact]
    public async Task A_code_is_refused_the_second_time_even_within_its_time_step()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        var code = factory.Code(user.Secret);
        await factory.LoginWithCodeAsync(user, code);

        using var client = factory.CreateClient();
        using var replay = await client.PostVerifyAsync(await client.MfaTokenAsync(user.Email, user.Password), code);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(TwoFactorApi.InvalidCode, await replay.DetailAsync());
        var failure = await factory.WithDbAsync(db => db.AuthEvents.AsNoTracking()
            .Where(e => e.UserId == user.Id && e.Type == "two_factor_failed").Select(e => e.Reason).SingleAsync());
        Assert.Equal("login:replayed_code", failure);
    }

    [Theory]
    [InlineData(-30, true)]
    [InlineData(30, true)]
    [InlineData(-60, false)]
    [InlineData(60, false)]
    public async Task Codes_one_step_either_side_are_accepted_and_two_steps_away_refused(int offsetSeconds, bool accepted)
    {
        var user = await factory.CreateTwoFactorUserAsync();
        factory.NextStep();
        factory.NextStep(); // the step before now is newer than the one confirmation spent
        var code = TwoFactorApi.CodeAt(user.Secret, factory.Time.GetUtcNow().AddSeconds(offsetSeconds));

        using var client = factory.CreateClient();
        using var verify = await client.PostVerifyAsync(await client.MfaTokenAsync(user.Email, user.Password), code);

        Assert.Equal(accepted ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, verify.StatusCode);
    }

    [Fact]
    public async Task Five_wrong_codes_end_the_mfa_token()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = factory.CreateClient();
        var mfaToken = await client.MfaTokenAsync(user.Email, user.Password);
        var right = factory.Code(user.Secret);
        var wrong = right == "123456" ? "654321" : "123456";

        for (var attempt = 0; attempt < 5; attempt++)
        {
            factory.Time.Advance(TimeSpan.FromSeconds(10)); // past the backoff that starts after five failures
            using var refused = await client.PostVerifyAsync(mfaToken, wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(TwoFactorApi.InvalidCode, await refused.DetailAsync());
        }

        factory.Time.Advance(TimeSpan.FromSeconds(20));
        using var late = await client.PostVerifyAsync(mfaToken, factory.Code(user.Secret));
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Equal(TwoFactorApi.InvalidMfaToken, await late.DetailAsync());
    }

    [Fact]
    public async Task Wrong_codes_count_toward_the_email_backoff()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = factory.CreateClient();
        var wrong = factory.Code(user.Secret) == "123456" ? "654321" : "123456";

        // The password step (not ended by a right password alone) and four wrong codes: five failures.
        var mfaToken = await client.MfaTokenAsync(user.Email, user.Password);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var refused = await client.PostVerifyAsync(mfaToken, wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var limited = await client.PostVerifyAsync(mfaToken, factory.Code(user.Secret));
        using var login = await client.PostLoginFormAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode);
    }

    [Fact]
    public async Task An_mfa_token_expires_after_five_minutes_and_works_once()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = factory.CreateClient();
        var expiring = await client.MfaTokenAsync(user.Email, user.Password);
        var used = await client.MfaTokenAsync(user.Email, user.Password);

        using (var first = await client.PostVerifyAsync(used, factory.Code(user.Secret)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        factory.NextStep();
        using var second = await client.PostVerifyAsync(used, factory.Code(user.Secret));
        factory.Time.Advance(TimeSpan.FromMinutes(5));
        using var expired = await client.PostVerifyAsync(expiring, factory.Code(user.Secret));

        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(TwoFactorApi.InvalidMfaToken, await second.DetailAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(TwoFactorApi.InvalidMfaToken, await expired.DetailAsync());
    }

    [Fact]
    public async Task An_mfa_token_is_refused_from_another_client()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("FirstApp/1.0");
        var mfaToken = await client.MfaTokenAsync(user.Email, user.Password);
        using var other = factory.CreateClient();
        other.DefaultRequestHeaders.UserAgent.ParseAdd("OtherApp/2.0");

        using var elsewhere = await other.PostVerifyAsync(mfaToken, factory.Code(user.Secret));
        using var here = await client.PostVerifyAsync(mfaToken, factory.Code(user.Secret));

        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, here.StatusCode);
    }

    [Fact]
    public async Task Tokens_carry_pwd_alone_or_pwd_and_otp_and_a_refresh_keeps_them()
    {
        var plain = await factory.CreateClient().SignupAsync();
        var login = await factory.CreateClient().LoginAsync(plain.Email, plain.Password);
        var user = await factory.CreateTwoFactorUserAsync();
        var tokens = await factory.LoginWithCodeAsync(user);

        var refreshedPlain = await factory.CreateClient().RefreshAsync(login.RefreshToken);
        var refreshed = await factory.CreateClient().RefreshAsync(tokens.RefreshToken);

        Assert.Equal(["pwd"], TwoFactorApi.AmrOf(plain.AccessToken));
        Assert.Equal(["pwd"], TwoFactorApi.AmrOf(login.AccessToken));
        Assert.Equal(["pwd"], TwoFactorApi.AmrOf(refreshedPlain.AccessToken));
        Assert.Equal(["pwd", "otp"], TwoFactorApi.AmrOf(refreshed.AccessToken));
        Assert.Equal(["pwd", "otp"], TwoFactorApi.AmrOf((await factory.CreateClient().RefreshAsync(refreshed.RefreshToken)).AccessToken));
    }

    [Fact]
    public async Task The_secret_is_stored_encrypted_and_neither_secret_nor_codes_nor_mfa_token_reach_the_logs()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        var mfaToken = await factory.CreateClient().MfaTokenAsync(user.Email, user.Password);
        await factory.LoginWithCodeAsync(user, user.RecoveryCodes[0]);

        var stored = await factory.WithDbAsync(db => db.Users.AsNoTracking().Where(u => u.Id == user.Id).Select(u => u.TwoFactorSecret).SingleAsync());
        Assert.NotNull(stored);
        Assert.NotEqual(user.Secret, stored);
        Assert.DoesNotContain(user.Secret, stored, StringComparison.OrdinalIgnoreCase);
        var hashes = await factory.WithDbAsync(db => db.RecoveryCodes.AsNoTracking().Where(c => c.UserId == user.Id).Select(c => c.CodeHash).ToListAsync());
        Assert.Equal(9, hashes.Count);
        Assert.All(hashes, hash => Assert.Equal(32, hash.Length));

        var logs = string.Join('\n', factory.Logs.GetSnapshot().Select(r => r.Message + " " + string.Join(' ', r.StructuredState?.Select(p => p.Value) ?? [])));
        Assert.DoesNotContain(user.Secret, logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(mfaToken, logs, StringComparison.Ordinal);
        Assert.All(user.RecoveryCodes, code => Assert.DoesNotContain(code, logs, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(factory.Logs.GetSnapshot(), r => r.Id.Id == 1302);
    }
}

public sealed class SqliteTwoFactorLoginTests(SqliteApiFactory factory) : TwoFactorLoginTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresTwoFactorLoginTests(PostgresApiFactory factory) : TwoFactorLoginTests(factory), IClassFixture<PostgresApiFactory>;
