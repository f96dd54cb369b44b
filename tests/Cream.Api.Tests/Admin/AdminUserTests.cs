using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Admin;

/// <summary>Admin management of users: the paginated list, roles, the active flag and revoking every token.</summary>
public abstract class AdminUserTests(CreamApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Admins_page_through_users_filtered_by_email()
    {
        var admin = await factory.CreateAdminAsync();
        var tag = $"page{Guid.NewGuid():N}";
        var emails = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            emails.Add((await _client.SignupAsync($"{tag}-{i}@example.com")).Email);
        }

        await _client.SignupAsync(); // outside the filter
        using var client = factory.CreateClient(admin.AccessToken);

        using var first = await client.GetAsync($"/api/admin/users?email={tag.ToUpperInvariant()}&page=1&page_size=2");
        using var second = await client.GetAsync($"/api/admin/users?email={tag}&page=2&page_size=2");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var one = await first.JsonAsync();
        var two = await second.JsonAsync();
        Assert.Equal(3, one.GetProperty("total_count").GetInt32());
        Assert.Equal(1, one.GetProperty("page").GetInt32());
        Assert.Equal(2, one.GetProperty("page_size").GetInt32());
        Assert.Equal(2, one.GetProperty("total_pages").GetInt32());
        Assert.Equal(2, two.GetProperty("page").GetInt32());
        var listed = one.GetProperty("users").EnumerateArray().Concat(two.GetProperty("users").EnumerateArray()).ToList();
        Assert.Equal(emails, listed.Select(u => u.GetProperty("email").GetString()));
        var user = listed[0];
        Assert.True(Guid.TryParse(user.GetProperty("id").GetString(), out _));
        Assert.Equal("Test", user.GetProperty("first_name").GetString());
        Assert.Equal(0, user.GetProperty("roles").GetArrayLength());
        Assert.True(user.GetProperty("is_active").GetBoolean());
        Assert.True(user.TryGetProperty("created_at", out _));
        Assert.False(user.TryGetProperty("password", out _));
    }

    [Theory]
    [InlineData("%25")]
    [InlineData("_")]
    public async Task The_email_filter_matches_wildcard_characters_literally(string escapedFragment)
    {
        var admin = await factory.CreateAdminAsync();
        await _client.SignupAsync();

        using var response = await factory.CreateClient(admin.AccessToken).GetAsync($"/api/admin/users?email={escapedFragment}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(0, body.GetProperty("total_count").GetInt32());
        Assert.Equal(0, body.GetProperty("users").GetArrayLength());
    }

    [Fact]
    public async Task The_unfiltered_list_counts_every_user()
    {
        var admin = await factory.CreateAdminAsync();
        await _client.SignupAsync();
        var total = await factory.WithDbAsync(db => db.Users.CountAsync());

        using var response = await factory.CreateClient(admin.AccessToken).GetAsync("/api/admin/users?page_size=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(total, body.GetProperty("total_count").GetInt32());
        Assert.Equal(total, body.GetProperty("total_pages").GetInt32());
        Assert.Equal(1, body.GetProperty("users").GetArrayLength());
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("page_size=0")]
    [InlineData("page_size=101")]
    [InlineData("page=2147483647&page_size=100")]
    public async Task Paging_out_of_range_is_422(string query)
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await factory.CreateClient(admin.AccessToken).GetAsync($"/api/admin/users?{query}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
    }

    [Fact]
    public async Task Non_admins_are_refused_403_on_every_admin_user_endpoint()
    {
        var user = await _client.SignupAsync();
        var target = await _client.SignupAsync();
        using var client = factory.CreateClient(user.AccessToken);

        using var list = await client.GetAsync("/api/admin/users");
        using var patch = await client.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles = new[] { "admin" } });
        using var revoke = await client.PostAsync($"/api/admin/users/{target.Id}/revoke-tokens", null);

        foreach (var response in new[] { list, patch, revoke })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("Admin access required", await response.DetailAsync());
        }

        Assert.Empty(await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.Roles).SingleAsync()));
        await factory.AssertAcceptedAsync(target.AccessToken);
    }

    [Fact]
    public async Task Without_a_token_the_admin_user_list_is_401_not_authenticated()
    {
        using var response = await _client.GetAsync("/api/admin/users");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Not authenticated", await response.DetailAsync());
    }

    [Fact]
    public async Task Granting_admin_takes_effect_at_the_next_token_and_removing_it_refuses_tokens_carrying_it_at_once()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        using var adminClient = factory.CreateClient(admin.AccessToken);

        using var grant = await adminClient.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles = new[] { "admin" } });

        Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        Assert.Equal(["admin"], (await grant.JsonAsync()).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        await factory.AssertAcceptedAsync(user.AccessToken); // adding a role revokes nothing
        var promoted = await _client.RefreshAsync(user.RefreshToken);
        using (var asAdmin = await factory.CreateClient(promoted.AccessToken).GetAsync("/api/admin/users"))
        {
            Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        }

        using var removal = await adminClient.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.OK, removal.StatusCode);
        Assert.Equal(0, (await removal.JsonAsync()).GetProperty("roles").GetArrayLength());
        using (var stale = await factory.CreateClient(promoted.AccessToken).GetAsync("/api/admin/users"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
            Assert.Equal(SessionApi.InvalidCredentials, await stale.DetailAsync());
        }

        await factory.AssertRefusedAsync(promoted.AccessToken);
        var demoted = await _client.RefreshAsync(promoted.RefreshToken);
        await factory.AssertAcceptedAsync(demoted.AccessToken);
        Assert.True(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(demoted.AccessToken).TryGetPayloadValue<string[]>("roles", out var roles));
        Assert.Empty(roles);
        using var refused = await factory.CreateClient(demoted.AccessToken).GetAsync("/api/admin/users");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task The_users_profile_shows_roles_granted_or_removed_at_once()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        using var userClient = factory.CreateClient(user.AccessToken);
        using var adminClient = factory.CreateClient(admin.AccessToken);
        using (var before = await userClient.GetAsync("/api/auth/me"))
        {
            Assert.Equal(0, (await before.JsonAsync()).GetProperty("roles").GetArrayLength());
        }

        using var grant = await adminClient.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles = new[] { "editor" } });

        Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        using (var after = await userClient.GetAsync("/api/auth/me"))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode); // adding a role leaves the token valid
            Assert.Equal(["editor"], (await after.JsonAsync()).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        }

        using var removal = await adminClient.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.OK, removal.StatusCode);
        var fresh = await _client.LoginAsync(user.Email, user.Password);
        using var afterRemoval = await factory.CreateClient(fresh.AccessToken).GetAsync("/api/auth/me");
        Assert.Equal(0, (await afterRemoval.JsonAsync()).GetProperty("roles").GetArrayLength());
    }

    [Fact]
    public async Task Disabling_an_account_refuses_its_tokens_logins_and_refreshes_and_enabling_it_allows_login_again()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        using var adminClient = factory.CreateClient(admin.AccessToken);

        using var disable = await adminClient.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { is_active = false });

        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        Assert.False((await disable.JsonAsync()).GetProperty("is_active").GetBoolean());
        foreach (var tokens in new[] { user.Tokens, other })
        {
            await factory.AssertRefusedAsync(tokens.AccessToken);
            await factory.AssertRefreshRefusedAsync(tokens.RefreshToken);
        }

        using (var login = await _client.PostLoginFormAsync(user.Email, user.Password))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
            Assert.Equal("Incorrect email or password", await login.DetailAsync());
        }

        Assert.False(await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.IsActive).SingleAsync()));

        using var enable = await adminClient.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { is_active = true });

        Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        Assert.True((await enable.JsonAsync()).GetProperty("is_active").GetBoolean());
        var fresh = await _client.LoginAsync(user.Email, user.Password);
        await factory.AssertAcceptedAsync(fresh.AccessToken);
        await factory.AssertRefusedAsync(user.AccessToken); // re-enabling does not revive old tokens
        await factory.AssertRefreshRefusedAsync(other.RefreshToken);
    }

    [Theory]
    [InlineData("Admin!", 1)]
    [InlineData("", 1)]
    [InlineData("1admin", 1)]
    [InlineData("role", 17)]
    public async Task Invalid_roles_are_422_and_change_nothing(string role, int count)
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        var roles = count == 1 ? [role] : Enumerable.Range(0, count).Select(i => $"{role}{i}").ToArray();

        using var response = await factory.CreateClient(admin.AccessToken)
            .PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("roles", out _));
        Assert.Empty(await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.Roles).SingleAsync()));
        await factory.AssertAcceptedAsync(user.AccessToken);
    }

    [Fact]
    public async Task Sixteen_valid_roles_are_accepted()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        var roles = Enumerable.Range(0, 16).Select(i => $"role-{i}_x").ToArray();

        using var response = await factory.CreateClient(admin.AccessToken)
            .PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(roles, await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.Roles).SingleAsync()));
    }

    [Fact]
    public async Task Patching_or_revoking_an_unknown_user_is_404()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        var unknown = Guid.NewGuid();

        using var patch = await client.PatchAsJsonAsync($"/api/admin/users/{unknown}", new { is_active = false });
        using var revoke = await client.PostAsync($"/api/admin/users/{unknown}/revoke-tokens", null);

        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await patch.DetailAsync()));
        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await revoke.DetailAsync()));
    }

    [Fact]
    public async Task Revoke_tokens_refuses_every_access_and_refresh_token_of_that_user_only()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        var bystander = await _client.SignupAsync();

        using var response = await factory.CreateClient(admin.AccessToken).PostAsync($"/api/admin/users/{user.Id}/revoke-tokens", null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        foreach (var tokens in new[] { user.Tokens, other })
        {
            await factory.AssertRefusedAsync(tokens.AccessToken);
            await factory.AssertRefreshRefusedAsync(tokens.RefreshToken);
        }

        Assert.Equal(0, await factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.UserId == user.Id && s.IsValid)));
        await factory.AssertAcceptedAsync(bystander.AccessToken);
        await factory.AssertAcceptedAsync(admin.AccessToken);
        var fresh = await _client.LoginAsync(user.Email, user.Password); // the account itself stays usable
        await factory.AssertAcceptedAsync(fresh.AccessToken);
    }
}

public sealed class SqliteAdminUserTests(SqliteApiFactory factory) : AdminUserTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresAdminUserTests(PostgresApiFactory factory) : AdminUserTests(factory), IClassFixture<PostgresApiFactory>;
