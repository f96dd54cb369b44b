using System.Net;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.TwoFactor;
using Cream.Client;

namespace Cream.Api.Tests.Client;

/// <summary>Two-factor through the .NET client: setup, the typed mfa_required answer, its second step, the settings.</summary>
public abstract class CreamClientTwoFactorTests(CreamApiFactory factory)
{
    [Fact]
    public async Task Setup_confirm_then_a_login_throws_mfa_required_with_a_token_that_verify_turns_into_a_signed_in_client()
    {
        using var owner = factory.NewClient();
        var email = ApiHelpers.NewEmail("client.mfa");
        await owner.SignupAsync(email);

        var setup = await owner.Api.BeginTotpSetupAsync(ApiHelpers.DefaultPassword);
        Assert.Equal("otpauth", setup.OtpauthUri.Scheme);
        Assert.DoesNotContain(setup.Secret, setup.ToString(), StringComparison.Ordinal);
        var recoveryCodes = await owner.Api.ConfirmTotpAsync(factory.Code(setup.Secret));
        Assert.Equal(10, recoveryCodes.Count);
        Assert.True((await owner.Api.GetMeAsync()).TwoFactorEnabled);
        factory.NextStep();

        using var device = factory.NewClient();
        var required = await Assert.ThrowsAsync<CreamMfaRequiredException>(() => device.Api.LoginAsync(email, ApiHelpers.DefaultPassword));
        Assert.Equal(HttpStatusCode.Unauthorized, required.StatusCode);
        Assert.Equal("mfa_required", required.Error);
        Assert.Equal("Two-factor code required", required.Detail);
        Assert.Equal(TimeSpan.FromMinutes(5), required.ExpiresIn);
        Assert.Null(await device.Store.GetAsync());

        var wrong = await Assert.ThrowsAsync<CreamApiException>(() => device.Api.VerifyMfaAsync(required.MfaToken, "abcd-abcd-abcd-abcd"));
        Assert.Equal("Invalid two-factor code", wrong.Detail);
        await device.Api.VerifyMfaAsync(required.MfaToken, factory.Code(setup.Secret));
        Assert.Equal(email, (await device.Api.GetMeAsync()).Email);

        var renewed = await device.Api.RenewRecoveryCodesAsync(recoveryCodes[0]);
        Assert.Empty(renewed.Intersect(recoveryCodes));
        factory.NextStep();
        await device.Api.DisableTwoFactorAsync(ApiHelpers.DefaultPassword, factory.Code(setup.Secret));
        Assert.False((await device.Api.GetMeAsync()).TwoFactorEnabled);
        await owner.Api.LoginAsync(email, ApiHelpers.DefaultPassword);
    }

    [Fact]
    public async Task An_admin_resets_a_users_two_factor_and_deleting_an_account_with_two_factor_takes_a_code()
    {
        using var admin = await factory.NewAdminClientAsync();
        var user = await factory.CreateTwoFactorUserAsync();
        await admin.Api.ResetUserTwoFactorAsync(user.Id);
        var conflict = await Assert.ThrowsAsync<CreamApiException>(() => admin.Api.ResetUserTwoFactorAsync(user.Id));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        var other = await factory.CreateTwoFactorUserAsync();
        using var owner = factory.NewClient();
        var required = await Assert.ThrowsAsync<CreamMfaRequiredException>(() => owner.Api.LoginAsync(other.Email, other.Password));
        await owner.Api.VerifyMfaAsync(required.MfaToken, other.RecoveryCodes[0]);
        var noCode = await Assert.ThrowsAsync<CreamApiException>(() => owner.Api.DeleteMeAsync(other.Password));
        Assert.Equal("Two-factor code required", noCode.Detail);
        await owner.Api.DeleteMeAsync(other.Password, other.RecoveryCodes[1]);
        Assert.Null(await owner.Store.GetAsync());
    }
}

public sealed class SqliteCreamClientTwoFactorTests(SqliteApiFactory factory) : CreamClientTwoFactorTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresCreamClientTwoFactorTests(PostgresApiFactory factory) : CreamClientTwoFactorTests(factory), IClassFixture<PostgresApiFactory>;
