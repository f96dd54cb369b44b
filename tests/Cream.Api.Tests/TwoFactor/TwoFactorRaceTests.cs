using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Xunit.Abstractions;

namespace Cream.Api.Tests.TwoFactor;

/// <summary>
/// The second step of a login joins "credential changes win every race" (ADR 12, ADR 19): a
/// verify that runs while two-factor is turned off or the password changes leaves no session
/// or token that still works, whichever commits first. Run for real, many times.
/// </summary>
public abstract class TwoFactorRaceTests(CreamApiFactory factory, ITestOutputHelper output)
{
    private const int Trials = 20;

    [Fact]
    public Task No_verify_survives_turning_two_factor_off() =>
        RaceAsync("two-factor off", (user, owner) => owner.SendJsonAsync(HttpMethod.Delete, "/api/auth/mfa",
            new { password = user.Password, code = user.RecoveryCodes[0] }));

    [Fact]
    public Task No_verify_survives_a_password_change() =>
        RaceAsync("password change", (user, owner) => owner.PostAsJsonAsync("/api/auth/change-password",
            new { current_password = user.Password, new_password = "a brand new passphrase" }));

    private async Task RaceAsync(string change, Func<TwoFactorUser, HttpClient, Task<HttpResponseMessage>> changeAsync)
    {
        var survivors = new List<string>();
        var verified = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var user = await factory.CreateTwoFactorUserAsync();
            using var owner = factory.CreateClient(user.User.AccessToken);
            using var client = factory.CreateClient();
            var mfaToken = await client.MfaTokenAsync(user.Email, user.Password);
            var code = factory.Code(user.Secret);

            var verify = Task.Run(() => client.PostVerifyAsync(mfaToken, code));
            await Task.Delay(trial % 4);
            using var changed = await changeAsync(user, owner);
            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

            using var answer = await verify;
            if (answer.StatusCode != HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
                continue;
            }

            verified++;
            var tokens = (await answer.Content.ReadFromJsonAsync<TokenBody>())!;
            using var refresh = await factory.CreateClient().PostRefreshAsync(tokens.RefreshToken);
            if (await factory.MeStatusAsync(tokens.AccessToken) == HttpStatusCode.OK || refresh.StatusCode == HttpStatusCode.OK)
            {
                survivors.Add($"trial {trial}: session {SessionApi.SessionIdOf(tokens.AccessToken)}");
            }
        }

        output.WriteLine($"{Trials} verifies against a {change}: {verified} answered 200, {survivors.Count} survived");
        Assert.Empty(survivors);
    }
}

public sealed class SqliteTwoFactorRaceTests(SqliteApiFactory factory, ITestOutputHelper output)
    : TwoFactorRaceTests(factory, output), IClassFixture<SqliteApiFactory>;

public sealed class PostgresTwoFactorRaceTests(PostgresApiFactory factory, ITestOutputHelper output)
    : TwoFactorRaceTests(factory, output), IClassFixture<PostgresApiFactory>;
