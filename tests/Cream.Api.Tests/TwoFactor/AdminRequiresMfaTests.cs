using System.Net;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.TwoFactor;

/// <summary>With <c>Accounts__AdminRequiresMfa</c>, the admin policy wants <c>otp</c> in the token's <c>amr</c>.</summary>
public abstract class AdminRequiresMfaTests(CreamApiFactory factory)
{
    public static readonly IReadOnlyDictionary<string, string?> Strict = new Dictionary<string, string?> { ["Accounts:AdminRequiresMfa"] = "true" };

    [Fact]
    public async Task An_admin_token_without_a_second_factor_is_refused_with_insufficient_scope_and_one_with_it_is_let_in()
    {
        var admin = await factory.CreateAdminAsync();
        using var passwordOnly = await factory.CreateClient(admin.AccessToken).GetAsync("/api/admin/users?page_size=1");

        Assert.Equal(HttpStatusCode.Forbidden, passwordOnly.StatusCode);
        Assert.Equal("Admin access requires two-factor authentication", await passwordOnly.DetailAsync());
        Assert.StartsWith("Bearer error=\"insufficient_scope\"", passwordOnly.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        var withCode = await factory.LoginWithCodeAsync(await factory.EnableTwoFactorAsync(admin));
        using var allowed = await factory.CreateClient(withCode.AccessToken).GetAsync("/api/admin/users?page_size=1");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_user_without_the_role_still_hears_admin_access_required()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        var tokens = await factory.LoginWithCodeAsync(user);

        using var refused = await factory.CreateClient(tokens.AccessToken).GetAsync("/api/admin/users?page_size=1");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Admin access required", await refused.DetailAsync());
    }
}

public sealed class SqliteAdminMfaFactory : SqliteApiFactory
{
    public SqliteAdminMfaFactory() => Settings = AdminRequiresMfaTests.Strict;
}

public sealed class PostgresAdminMfaFactory : PostgresApiFactory
{
    public PostgresAdminMfaFactory() => Settings = AdminRequiresMfaTests.Strict;
}

public sealed class SqliteAdminRequiresMfaTests(SqliteAdminMfaFactory factory) : AdminRequiresMfaTests(factory), IClassFixture<SqliteAdminMfaFactory>;

public sealed class PostgresAdminRequiresMfaTests(PostgresAdminMfaFactory factory) : AdminRequiresMfaTests(factory), IClassFixture<PostgresAdminMfaFactory>;
