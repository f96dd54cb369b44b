using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Admin;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Xunit.Abstractions;

namespace Cream.Api.Tests.Accounts;

/// <summary>
/// Deletion wins every race (docs/decisions/0016-account-deletion.md): logins and refreshes run
/// for real against the deletion, many times, and nothing they produced may still work after it.
/// (Two admins deleting or demoting each other at once: <c>Admin/LastAdminTests</c>.)
/// </summary>
public abstract class AccountDeletionRaceTests(CreamApiFactory factory, ITestOutputHelper output)
{
    private const int Trials = 25;
    // With the deletion's own password check, at most the per-email backoff's free failures.
    private const int RacingLogins = 4;

    [Fact]
    public async Task No_login_racing_the_deletion_leaves_a_usable_token_or_session()
    {
        var survivors = new List<string>();
        int answered = 0, deleted = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var user = await factory.CreateClient().SignupAsync();
            using var owner = factory.CreateClient(user.AccessToken);
            var requests = Enumerable.Range(0, RacingLogins)
                .Select(_ => (Func<Task<HttpResponseMessage>>)(() => factory.CreateClient().PostLoginFormAsync(user.Email, user.Password)))
                .Append(() => owner.DeleteMeAsync(user.Password))
                .ToArray();

            var responses = await Concurrently.AtOnceAsync(requests);

            deleted += responses[^1].StatusCode == HttpStatusCode.NoContent ? 1 : 0;
            foreach (var login in responses[..^1].Where(r => r.StatusCode == HttpStatusCode.OK))
            {
                answered++;
                var tokens = (await login.Content.ReadFromJsonAsync<TokenBody>())!;
                using var refresh = await factory.CreateClient().PostRefreshAsync(tokens.RefreshToken);
                if (await factory.SessionsStatusAsync(tokens.AccessToken) != HttpStatusCode.Unauthorized || refresh.StatusCode == HttpStatusCode.OK)
                {
                    survivors.Add($"trial {trial}: session {SessionApi.SessionIdOf(tokens.AccessToken)}");
                }
            }

            Array.ForEach(responses, r => r.Dispose());
            Assert.False(await factory.UserExistsAsync(user.Id));
        }

        output.WriteLine($"{Trials} trials of {RacingLogins} logins against one deletion: {deleted} deletions answered 204, "
            + $"{answered} logins answered 200, {survivors.Count} left a usable token or refresh token");
        Assert.Equal(Trials, deleted);
        Assert.Empty(survivors);
    }

    [Fact]
    public async Task No_refresh_racing_the_deletion_leaves_a_usable_token()
    {
        var survivors = new List<string>();
        var minted = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var user = await factory.CreateClient().SignupAsync();
            using var asAdmin = trial % 2 == 0 ? null : factory.CreateClient((await factory.CreateAdminAsync()).AccessToken);
            var tokens = new ConcurrentBag<TokenBody>();
            using var stop = new CancellationTokenSource();
            var refreshToken = user.RefreshToken;
            var refreshing = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    using var refresh = await factory.CreateClient().PostRefreshAsync(refreshToken);
                    if (refresh.StatusCode != HttpStatusCode.OK)
                    {
                        return;
                    }

                    var body = (await refresh.Content.ReadFromJsonAsync<TokenBody>())!;
                    refreshToken = body.RefreshToken;
                    tokens.Add(body);
                }
            });

            await Task.Delay(5 + (trial * 7 % 20));
            // Even trials: the user deletes itself; odd ones: an admin deletes it.
            using var deletion = asAdmin is null
                ? await factory.CreateClient(user.AccessToken).DeleteMeAsync(user.Password)
                : await asAdmin.DeleteUserAsync(user.Id);
            Assert.Equal(HttpStatusCode.NoContent, deletion.StatusCode);
            await stop.CancelAsync();
            await refreshing;

            minted += tokens.Count;
            foreach (var body in tokens.Append(user.Tokens))
            {
                using var refresh = await factory.CreateClient().PostRefreshAsync(body.RefreshToken);
                if (await factory.SessionsStatusAsync(body.AccessToken) != HttpStatusCode.Unauthorized || refresh.StatusCode == HttpStatusCode.OK)
                {
                    survivors.Add($"trial {trial}: a token of session {SessionApi.SessionIdOf(body.AccessToken)}");
                }
            }
        }

        output.WriteLine($"{Trials} deletions under a refresh loop: {minted} refreshes answered 200 before them, {survivors.Count} left a usable token");
        Assert.True(minted > 0, "no refresh ran before the deletions: the race was not exercised");
        Assert.Empty(survivors);
    }

    [Fact]
    public async Task Two_admins_deleting_themselves_at_the_same_moment_leave_exactly_one()
    {
        var broken = new List<string>();
        for (var trial = 0; trial < Trials; trial++)
        {
            await factory.DemoteEveryAdminAsync();
            var admins = new[] { await factory.CreateAdminAsync(), await factory.CreateAdminAsync() };
            using var first = factory.CreateClient(admins[0].AccessToken);
            using var second = factory.CreateClient(admins[1].AccessToken);

            var responses = await Concurrently.AtOnceAsync(
                () => first.DeleteMeAsync(admins[0].Password),
                () => second.DeleteMeAsync(admins[1].Password));

            var statuses = responses.Select(r => r.StatusCode).ToArray();
            Array.ForEach(responses, r => r.Dispose());
            var left = await factory.ActiveAdminsAsync();
            var survivor = statuses[0] == HttpStatusCode.NoContent ? admins[1].Id : admins[0].Id;
            if (statuses.Order().ToArray() is not [HttpStatusCode.NoContent, HttpStatusCode.Conflict] || left is not [var only] || only != survivor)
            {
                broken.Add($"trial {trial}: {statuses[0]:D}/{statuses[1]:D}, {left.Count} active admins left");
            }
        }

        output.WriteLine($"{Trials} trials of two admins deleting themselves at once: {broken.Count} broken");
        Assert.Empty(broken);
    }
}

public sealed class SqliteAccountDeletionRaceTests(SqliteApiFactory factory, ITestOutputHelper output)
    : AccountDeletionRaceTests(factory, output), IClassFixture<SqliteApiFactory>;

public sealed class PostgresAccountDeletionRaceTests(PostgresApiFactory factory, ITestOutputHelper output)
    : AccountDeletionRaceTests(factory, output), IClassFixture<PostgresApiFactory>;
