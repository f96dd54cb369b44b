using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Auth;

/// <summary>The cached profile behind /api/auth/me never outlives a change to it.</summary>
public abstract class ProfileCacheTests(CreamApiFactory factory)
{
    [Fact]
    public async Task A_role_granted_by_an_admin_shows_in_the_profile_at_once()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await factory.CreateClient().SignupAsync();
        using var userClient = factory.CreateClient(user.AccessToken);
        var before = await (await userClient.GetAsync("/api/auth/me")).JsonAsync();

        using var grant = await factory.CreateClient(admin.AccessToken)
            .PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles = new[] { "analyst" } });
        var after = await (await userClient.GetAsync("/api/auth/me")).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        Assert.Equal(0, before.GetProperty("roles").GetArrayLength());
        Assert.Equal("analyst", Assert.Single(after.GetProperty("roles").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task A_new_login_moves_last_login_in_the_profile()
    {
        var user = await factory.CreateClient().SignupAsync();
        using var client = factory.CreateClient(user.AccessToken);
        var first = (await (await client.GetAsync("/api/auth/me")).JsonAsync()).GetProperty("last_login").GetDateTime();
        factory.Time.Advance(TimeSpan.FromSeconds(5));

        await factory.CreateClient().LoginAsync(user.Email, user.Password);
        var second = (await (await client.GetAsync("/api/auth/me")).JsonAsync()).GetProperty("last_login").GetDateTime();

        Assert.True(second > first, $"{second:o} should be after {first:o}");
    }
}

public sealed class SqliteProfileCacheTests(SqliteApiFactory factory) : ProfileCacheTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresProfileCacheTests(PostgresApiFactory factory) : ProfileCacheTests(factory), IClassFixture<PostgresApiFactory>;
