using System.Net;
using System.Security.Cryptography;
using Cream.Api.Auth.Passwords;
using Cream.Api.Data;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Users;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.Accounts;

/// <summary>
/// Accounts written under the old key (the upper-cased email) keep signing in after the
/// upgrade: the migration step re-keys them, and two accounts that turn out to be spellings of
/// one address are both left as they were rather than merged.
/// </summary>
public abstract class EmailKeyMigrationTests : IAsyncLifetime
{
    private const string Password = "an old account's passphrase";

    protected abstract string ConnectionString { get; }

    protected abstract CreamDbContext OpenContext();

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task Accounts_keyed_the_old_way_sign_in_by_any_spelling_after_the_upgrade()
    {
        var decomposed = "jose\u0301@example.com"; // stored before emails were composed
        var fullWidth = "\uFF46\uFF55\uFF4C\uFF4C@example.com";
        var plain = "plain@example.com";
        var lookAlike = "\uFF50lain@example.com"; // an older look-alike of "plain"
        await using (var db = OpenContext())
        {
            var migrations = db.Database.GetMigrations().ToList();
            var beforeRekey = migrations[migrations.FindIndex(m => m.EndsWith("_EmailKeys", StringComparison.Ordinal)) - 1];
            await db.GetService<IMigrator>().MigrateAsync(beforeRekey);
            using var passwords = new PasswordService(Microsoft.Extensions.Options.Options.Create(new PasswordOptions { Iterations = 10_000 }));
            var hash = passwords.Hash(Password);
            foreach (var email in new[] { decomposed, fullWidth, plain, lookAlike })
            {
                // Written as that schema had it (today's entity has columns it lacks), keyed the old way.
                var (id, key, now) = (Guid.NewGuid(), email.ToUpperInvariant(), DateTime.UtcNow);
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO app_users (id, email, normalized_email, password, first_name, last_name, created_at, updated_at,
                        is_verified, is_active, two_factor_enabled, security_stamp, roles)
                    VALUES ({id}, {email}, {key}, {hash}, 'Legacy', 'User', {now}, {now}, TRUE, TRUE, FALSE, 0, {EmptyRoles})
                    """);
            }
        }

        await using var service = StartService();
        await service.Services.MigrateDatabaseAsync();
        var client = service.CreateClient();

        foreach (var spelling in new[] { "jos\u00E9@example.com", decomposed, "JOS\u00C9@EXAMPLE.COM", "full@example.com", fullWidth, plain })
        {
            using var login = await client.PostLoginFormAsync(spelling, Password);
            Assert.True(login.StatusCode == HttpStatusCode.OK, spelling);
        }

        await using (var db = OpenContext())
        {
            var keys = await db.Users.ToDictionaryAsync(u => u.Email, u => u.NormalizedEmail);
            Assert.Equal("JOS\u00C9@EXAMPLE.COM", keys[decomposed]);
            Assert.Equal("FULL@EXAMPLE.COM", keys[fullWidth]);
            Assert.Equal("PLAIN@EXAMPLE.COM", keys[plain]);
            Assert.Equal(lookAlike.ToUpperInvariant(), keys[lookAlike]); // kept: "plain" has the new key
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        // A second start finds nothing left to do and every account is where it was.
        await service.Services.MigrateDatabaseAsync();
        using var again = await client.PostLoginFormAsync("full@example.com", Password);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    /// <summary>An empty <c>roles</c> value as the provider stores it.</summary>
    protected abstract object EmptyRoles { get; }

    private WebApplicationFactory<Program> StartService() => new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Cream", ConnectionString);
        builder.UseSetting("Jwt:Secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
        builder.UseSetting("Passwords:Iterations", "10000");
    });
}

public sealed class SqliteEmailKeyMigrationTests : EmailKeyMigrationTests
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cream-rekey-{Guid.NewGuid():N}.db");

    protected override string ConnectionString => $"Data Source={_path};Pooling=False";

    protected override object EmptyRoles => "[]";

    protected override CreamDbContext OpenContext() =>
        new SqliteCreamDbContext(new DbContextOptionsBuilder<SqliteCreamDbContext>().UseSqlite(ConnectionString).Options);

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }
}

[NeedsTestServers(TestServers.PostgresVariable)]
public sealed class PostgresEmailKeyMigrationTests : EmailKeyMigrationTests
{
    private ThrowawayDatabase _database = null!;

    protected override string ConnectionString => _database.ConnectionString;

    protected override object EmptyRoles => Array.Empty<string>();

    protected override CreamDbContext OpenContext() =>
        new PostgresCreamDbContext(new DbContextOptionsBuilder<PostgresCreamDbContext>().UseNpgsql(ConnectionString).Options);

    public override async Task InitializeAsync() => _database = await ThrowawayDatabase.CreateAsync("cream_rekey");

    public override async Task DisposeAsync() => await _database.DisposeAsync();
}
