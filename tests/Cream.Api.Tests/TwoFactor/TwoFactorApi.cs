using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using OtpNet;

namespace Cream.Api.Tests.TwoFactor;

/// <summary>A user with two-factor on: its TOTP secret and the recovery codes confirmation answered.</summary>
public sealed record TwoFactorUser(TestUser User, string Secret, IReadOnlyList<string> RecoveryCodes)
{
    public string Email => User.Email;

    public string Password => User.Password;

    public Guid Id => User.Id;
}

/// <summary>Short calls and checks the two-factor tests share; codes come from Otp.NET at the factory's (fake) time.</summary>
public static class TwoFactorApi
{
    public const string MfaRequired = "Two-factor code required";
    public const string InvalidCode = "Invalid two-factor code";
    public const string InvalidMfaToken = "The two-factor login has expired or was already used: sign in again";
    public const string MfaGrant = "urn:cream:params:oauth:grant-type:mfa-otp";

    public static string CodeAt(string secret, DateTimeOffset at) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at.UtcDateTime);

    /// <summary>The code of the factory's current time step.</summary>
    public static string Code(this CreamApiFactory factory, string secret) => CodeAt(secret, factory.Time.GetUtcNow());

    /// <summary>Moves the clock to the next time step, so a new code exists (the last one used is spent).</summary>
    public static void NextStep(this CreamApiFactory factory) => factory.Time.Advance(TimeSpan.FromSeconds(30));

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body);

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object body) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) });

    /// <summary>Setup and confirmation through HTTP, asserting both succeed; the clock then moves on a step.</summary>
    public static async Task<TwoFactorUser> EnableTwoFactorAsync(this CreamApiFactory factory, TestUser user)
    {
        using var client = factory.CreateClient(user.AccessToken);
        using var setup = await client.PostJsonAsync("/api/auth/mfa/totp", new { password = user.Password });
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var secret = (await setup.JsonAsync()).GetProperty("secret").GetString()!;
        using var confirm = await client.PostJsonAsync("/api/auth/mfa/totp/confirm", new { code = factory.Code(secret) });
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var codes = (await confirm.JsonAsync()).GetProperty("recovery_codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        factory.NextStep();
        return new TwoFactorUser(user, secret, codes);
    }

    public static async Task<TwoFactorUser> CreateTwoFactorUserAsync(this CreamApiFactory factory, params string[] roles) =>
        await factory.EnableTwoFactorAsync(await factory.CreateUserAsync(roles));

    /// <summary>The password step of a user with two-factor: asserts the <c>mfa_required</c> answer and returns its <c>mfa_token</c>.</summary>
    public static async Task<string> MfaTokenAsync(this HttpClient client, string email, string password)
    {
        using var login = await client.PostLoginFormAsync(email, password);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        var body = await login.JsonAsync();
        Assert.Equal("mfa_required", body.GetProperty("error").GetString());
        Assert.Equal(MfaRequired, body.GetProperty("detail").GetString());
        return body.GetProperty("mfa_token").GetString()!;
    }

    public static Task<HttpResponseMessage> PostVerifyAsync(this HttpClient client, string mfaToken, string code) =>
        client.PostJsonAsync("/api/auth/mfa/verify", new { mfa_token = mfaToken, code });

    /// <summary>Both steps, asserting the second answers the token response.</summary>
    public static async Task<TokenBody> LoginWithCodeAsync(this CreamApiFactory factory, TwoFactorUser user, string? code = null)
    {
        using var client = factory.CreateClient();
        var mfaToken = await client.MfaTokenAsync(user.Email, user.Password);
        using var verify = await client.PostVerifyAsync(mfaToken, code ?? factory.Code(user.Secret));
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        return (await verify.Content.ReadFromJsonAsync<TokenBody>())!;
    }

    public static string[] AmrOf(string accessToken) =>
        new JsonWebToken(accessToken).GetPayloadValue<string[]>("amr");
}
