using System.Net;
using System.Net.Http.Json;
using Cream.Api.Auth.Profiles;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Data;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cream.Api.Tests.Auth;

/// <summary>
/// The periodic resync reads only the change feed: each revocation writes its change row, the
/// resync applies those rows (and drops just those users' cached profiles), and entries, change
/// rows and disabled users leave once no live token can match them. This class has a service of
/// its own: one test moves the clock by half an hour.
/// </summary>
public abstract class RevocationFeedTests(CreamApiFactory factory)
{
    private RevocationSync Sync => factory.Services.GetRequiredService<RevocationSync>();

    [Fact]
    public async Task Every_kind_of_revocation_writes_its_change_row_in_the_database()
    {
        var admin = await factory.CreateAdminAsync();
        var loggedOut = await factory.CreateClient().SignupAsync();
        var cut = await factory.CreateClient().SignupAsync();
        var jti = await factory.CreateClient().SignupAsync();
        var before = await factory.WithDbAsync(db => db.RevocationEvents.MaxAsync(e => (long?)e.Sequence)) ?? 0;

        using var logout = await factory.CreateClient(loggedOut.AccessToken).PostAsync("/api/auth/logout", null);
        using var logoutAll = await factory.CreateClient(cut.AccessToken).PostAsync("/api/auth/logout-all", null);
        using var revoke = await factory.CreateClient(admin.AccessToken).PostFormAsync("/api/auth/revoke", ("token", jti.AccessToken));

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logoutAll.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var rows = await factory.WithDbAsync(db => db.RevocationEvents.AsNoTracking().Where(e => e.Sequence > before).ToListAsync());
        Assert.Contains(rows, e => e.Kind == StateChangeKind.Session && e.Subject == SessionOf(loggedOut.AccessToken));
        Assert.Contains(rows, e => e.Kind == StateChangeKind.User && e.Subject == cut.Id.ToString() && e.Active);
        Assert.Contains(rows, e => e.Kind == StateChangeKind.Session && e.Subject == SessionOf(cut.AccessToken));
        Assert.Contains(rows, e => e.Kind == StateChangeKind.Token && e.Subject == new JsonWebToken(jti.AccessToken).Id);
    }

    [Fact]
    public async Task A_resync_keeps_the_cached_profiles_of_users_that_did_not_change_and_drops_those_that_did()
    {
        var unchanged = await factory.CreateClient().SignupAsync();
        var changed = await factory.CreateClient().SignupAsync();
        using var client = factory.CreateClient(unchanged.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient(changed.AccessToken).GetAsync("/api/auth/me")).StatusCode);
        var profiles = factory.Services.GetRequiredService<ProfileCache>();
        // A change made elsewhere: its row is written, its message never reaches this instance.
        await factory.WithDbAsync(async db =>
        {
            db.RevocationEvents.Add(RevocationEvent.From(
                new StateChange(StateChangeKind.User, changed.Id.ToString(), 0, true, 1), factory.Time.GetUtcNow().UtcDateTime));
            return await db.SaveChangesAsync();
        });

        await Sync.ResyncAsync(CancellationToken.None);

        Assert.True(profiles.TryGet<object>(unchanged.Id, out _));
        Assert.False(profiles.TryGet<object>(changed.Id, out _));
    }

    [Fact]
    public async Task A_disabled_user_and_the_change_rows_leave_once_no_live_token_can_match_them()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await factory.CreateClient().SignupAsync();
        using var disable = await factory.CreateClient(admin.AccessToken).PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { is_active = false });
        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        var revocations = factory.Services.GetRequiredService<RevocationList>();
        var later = factory.Time.GetUtcNow().AddMinutes(20).ToUnixTimeSeconds();
        Assert.True(revocations.IsRevoked(user.Id, Guid.NewGuid(), Guid.NewGuid().ToString("N"), later)); // disabled: any token

        // Past the last token's expiry (30 minutes, the 30 s skew) and the session margin.
        factory.Time.Advance(TimeSpan.FromMinutes(33));
        await Sync.ResyncAsync(CancellationToken.None);

        var now = factory.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.False(revocations.IsRevoked(user.Id, Guid.NewGuid(), Guid.NewGuid().ToString("N"), now));
        var rowsLeft = await factory.WithDbAsync(db => db.RevocationEvents.CountAsync(e => e.Subject == user.Id.ToString()));
        Assert.Equal(0, rowsLeft);
        // The database still says disabled: no sign-in, and the account stays refused where it is read.
        using var login = await factory.CreateClient().PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    internal static string SessionOf(string accessToken) =>
        new JsonWebToken(accessToken).GetPayloadValue<string>("sid");
}

public sealed class SqliteRevocationFeedTests(SqliteApiFactory factory) : RevocationFeedTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresRevocationFeedTests(PostgresApiFactory factory) : RevocationFeedTests(factory), IClassFixture<PostgresApiFactory>;
