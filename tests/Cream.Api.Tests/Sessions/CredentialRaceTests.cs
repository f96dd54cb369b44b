using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cream.Api.Tests.Sessions;

/// <summary>
/// A credential change wins every race (docs/decisions/0012-credential-races.md): the racing
/// requests run for real, many times, and nothing a running sign-in or refresh produced after
/// the change may still work.
/// </summary>
public abstract class CredentialRaceTests(CreamApiFactory factory, ITestOutputHelper output)
{
    private const int Trials = 15;
    // Below the free failures of the per-email backoff: every login claims a password check until it succeeds.
    private const int RacingLogins = 4;

    [Fact]
    public async Task No_login_that_checked_the_old_password_survives_a_password_change()
    {
        var survivors = new List<string>();
        var raced = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var user = await factory.CreateClient().SignupAsync();
            using var owner = factory.CreateClient(user.AccessToken);
            var logins = Enumerable.Range(0, RacingLogins)
                .Select(_ => Task.Run(() => factory.CreateClient().PostLoginFormAsync(user.Email, user.Password)))
                .ToList();
            using var change = await owner.PostAsJsonAsync("/api/auth/change-password",
                new { current_password = user.Password, new_password = "a brand new passphrase" });
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);

            foreach (var login in await Task.WhenAll(logins))
            {
                using (login)
                {
                    if (login.StatusCode != HttpStatusCode.OK)
                    {
                        continue;
                    }

                    raced++;
                    var tokens = (await login.Content.ReadFromJsonAsync<TokenBody>())!;
                    using var refresh = await factory.CreateClient().PostRefreshAsync(tokens.RefreshToken);
                    if (await factory.MeStatusAsync(tokens.AccessToken) == HttpStatusCode.OK || refresh.StatusCode == HttpStatusCode.OK)
                    {
                        survivors.Add($"trial {trial}: session {SessionApi.SessionIdOf(tokens.AccessToken)}");
                    }
                }
            }
        }

        output.WriteLine($"{Trials} trials of {RacingLogins} logins against one password change: {raced} logins answered 200, {survivors.Count} survived");
        Assert.Empty(survivors);
    }

    [Fact]
    public async Task No_token_minted_while_a_role_is_removed_still_carries_it()
    {
        var carriers = new List<string>();
        for (var trial = 0; trial < Trials; trial++)
        {
            using var admin = factory.CreateClient((await factory.CreateAdminAsync()).AccessToken);
            var target = await factory.CreateUserAsync("admin");
            var minted = new System.Collections.Concurrent.ConcurrentBag<string>();
            using var stop = new CancellationTokenSource();
            var refreshToken = target.RefreshToken;
            var load = new List<Task>
            {
                // The clock crosses second boundaries all the time, so a token minted just after the
                // cut-off falls in a later second than the cut-off (the test clock stands still otherwise).
                Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        factory.Time.Advance(TimeSpan.FromMilliseconds(250));
                        await Task.Delay(2);
                    }
                }),
                Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        using var login = await factory.CreateClient().PostLoginFormAsync(target.Email, target.Password);
                        if (login.StatusCode == HttpStatusCode.OK)
                        {
                            minted.Add((await login.Content.ReadFromJsonAsync<TokenBody>())!.AccessToken);
                        }
                    }
                }),
                Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        using var refresh = await factory.CreateClient().PostRefreshAsync(refreshToken);
                        if (refresh.StatusCode == HttpStatusCode.OK)
                        {
                            var tokens = (await refresh.Content.ReadFromJsonAsync<TokenBody>())!;
                            refreshToken = tokens.RefreshToken;
                            minted.Add(tokens.AccessToken);
                        }
                    }
                }),
            };

            await Task.Delay(20 + (trial * 7 % 30));
            using var removal = await admin.PatchAsJsonAsync($"/api/admin/users/{target.Id}", new { roles = Array.Empty<string>() });
            Assert.Equal(HttpStatusCode.OK, removal.StatusCode);
            await Task.Delay(30);
            await stop.CancelAsync();
            await Task.WhenAll(load);

            foreach (var token in minted)
            {
                using var adminCall = await factory.CreateClient(token).GetAsync("/api/admin/users?page_size=1");
                if (adminCall.StatusCode == HttpStatusCode.OK)
                {
                    carriers.Add($"trial {trial}: token of session {SessionApi.SessionIdOf(token)}");
                }
            }
        }

        Assert.Empty(carriers);
    }
}

public sealed class SqliteCredentialRaceTests(SqliteApiFactory factory, ITestOutputHelper output)
    : CredentialRaceTests(factory, output), IClassFixture<SqliteApiFactory>;

public sealed class PostgresCredentialRaceTests(PostgresApiFactory factory, ITestOutputHelper output)
    : CredentialRaceTests(factory, output), IClassFixture<PostgresApiFactory>;
