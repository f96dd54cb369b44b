using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Cream.Api.Tests.Common;

/// <summary>The program as an operator runs it: start-up refusals, zero-config start, and its commands.</summary>
public sealed class StartupAndCommandTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly string _secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(null, "Jwt__Secret is missing")]
    [InlineData("too-short-but-random-x7", "Jwt__Secret is too short")]
    [InlineData("your-256-bit-secret-your-256-bit-secret", "Jwt__Secret is a known placeholder")]
    [InlineData("change-me-change-me-change-me-change-me", "Jwt__Secret is a known placeholder")]
    public async Task Outside_development_a_bad_key_stops_the_service_with_one_clear_line(string? secret, string expected)
    {
        var environment = Environment("Production");
        if (secret is not null)
        {
            environment["Jwt__Secret"] = secret;
        }

        var result = await ServiceProcess.RunAsync(_folder.Path, environment);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardOutput + result.StandardError, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task In_development_the_service_starts_with_no_configuration_and_keeps_its_generated_key()
    {
        using var process = ServiceProcess.StartInDevelopment(_folder.Path);
        try
        {
            var url = await ServiceProcess.WaitForListeningAddressAsync(process);
            using var client = new HttpClient { BaseAddress = new Uri(url) };

            using var root = await client.GetAsync(new Uri("/", UriKind.Relative));
            using var signup = await client.PostSignupAsync(ApiHelpers.NewEmail());

            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
            Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
            Assert.True(File.Exists(Path.Combine(_folder.Path, "cream.db")));
            Assert.True(new FileInfo(Path.Combine(_folder.Path, "development-jwt-secret")).Length >= 32);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Migrate_and_create_admin_prepare_a_database_an_admin_can_use()
    {
        var database = Path.Combine(_folder.Path, "commands.db");
        var environment = Environment("Production", $"Data Source={database}");

        var migrate = await ServiceProcess.RunAsync(_folder.Path, environment, "migrate");
        var create = await ServiceProcess.RunAsync(_folder.Path, environment, "create-admin", "--email", "Root@Example.com", "--password", "admin-password-1");

        Assert.Equal(0, migrate.ExitCode);
        Assert.Equal(0, create.ExitCode);
        await using var service = ServiceOn(database);
        var client = service.CreateClient();
        var tokens = await client.LoginAsync("root@example.com", "admin-password-1");
        using var admin = service.CreateClient(tokens.AccessToken);
        using var list = await admin.GetAsync("/api/stock-data/track");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var audit = await admin.GetAsync("/api/admin/audit?type=roles_changed");
        var grant = Assert.Single((await audit.JsonAsync()).GetProperty("events").EnumerateArray());
        Assert.Equal("+admin", grant.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, grant.GetProperty("actor_id").ValueKind); // the command line, not an admin
    }

    [Fact]
    public async Task Create_admin_refuses_an_email_someone_already_registered_and_changes_nothing()
    {
        var database = Path.Combine(_folder.Path, "existing.db");
        var environment = Environment("Production", $"Data Source={database}");
        Assert.Equal(0, (await ServiceProcess.RunAsync(_folder.Path, environment, "migrate")).ExitCode);
        await using (var service = ServiceOn(database))
        {
            // Registered first by someone else, spelled differently.
            await service.CreateClient().SignupAsync("Admin@Example.com ", "squatter-password-1");
        }

        var create = await ServiceProcess.RunAsync(_folder.Path, environment, "create-admin", "--email", "admin@example.com", "--password", "operator-password-1");

        Assert.Equal(1, create.ExitCode);
        var line = Assert.Single(create.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("create-admin: Admin@Example.com already has an account; add --promote", line, StringComparison.Ordinal);
        await using var after = ServiceOn(database);
        var squatter = await after.CreateClient().LoginAsync("admin@example.com", "squatter-password-1");
        using var squatterClient = after.CreateClient(squatter.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await squatterClient.GetAsync("/api/stock-data/track")).StatusCode);
    }

    [Fact]
    public async Task Create_admin_with_promote_takes_the_account_over_and_ends_everything_its_first_owner_had()
    {
        var database = Path.Combine(_folder.Path, "promote.db");
        var environment = Environment("Production", $"Data Source={database}");
        Assert.Equal(0, (await ServiceProcess.RunAsync(_folder.Path, environment, "migrate")).ExitCode);
        TestUser squatter;
        await using (var service = ServiceOn(database))
        {
            squatter = await service.CreateClient().SignupAsync("Admin@Example.com ", "squatter-password-1");
        }

        var create = await ServiceProcess.RunAsync(_folder.Path, environment,
            "create-admin", "--email", "admin@example.com", "--password", "operator-password-1", "--promote");

        Assert.Equal(0, create.ExitCode);
        Assert.Contains("is now an admin with the given password", create.StandardOutput, StringComparison.Ordinal);
        await using var after = ServiceOn(database);
        var client = after.CreateClient();
        using var oldPassword = await client.PostLoginFormAsync("admin@example.com", "squatter-password-1");
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        using var oldRefresh = await client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = squatter.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, oldRefresh.StatusCode);
        using var oldToken = await after.CreateClient(squatter.AccessToken).GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, oldToken.StatusCode);
        var operatorTokens = await client.LoginAsync("admin@example.com", "operator-password-1");
        using var admin = after.CreateClient(operatorTokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/stock-data/track")).StatusCode);
    }

    [Theory]
    [InlineData("create-admin --email admin@example.com", "create-admin: --password is required.")]
    [InlineData("create-admin --email not-an-email --password admin-password-1", "create-admin: --email is refused: A valid email address is required.")]
    [InlineData("create-admin --email admin@example.com --password short", "create-admin: --password is refused: Password must be 8 to 128 characters.")]
    [InlineData("create-admin --email admin@example.com --password password1", "create-admin: --password is refused: This password is one of the most common passwords; choose another.")]
    [InlineData("create-admin --email admin@example.com --password admin@example.com", "create-admin: --password is refused: The password must not be the email address or its part before the @.")]
    public async Task Command_mistakes_fail_with_one_clear_line(string arguments, string expected)
    {
        var environment = Environment("Production", $"Data Source={Path.Combine(_folder.Path, "mistakes.db")}");
        Assert.Equal(0, (await ServiceProcess.RunAsync(_folder.Path, environment, "migrate")).ExitCode);

        var result = await ServiceProcess.RunAsync(_folder.Path, environment, arguments.Split(' '));

        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    [NeedsTestServers(TestServers.PostgresVariable)]
    public async Task Migrate_creates_the_schema_on_postgresql()
    {
        await using var database = await ThrowawayDatabase.CreateAsync("cream_migrate");

        var result = await ServiceProcess.RunAsync(_folder.Path, Environment("Production", database.ConnectionString), "migrate");

        Assert.Equal(0, result.ExitCode);
        // Nothing failed, so nothing looks like a failure (EF's probe of the missing history table used to print "fail:").
        Assert.Equal("Database migrated.", result.StandardOutput.Trim());
        Assert.Empty(result.StandardError);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand(
            "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        Assert.Equal("__EFMigrationsHistory,app_users,auth_events,data_protection_keys,deleted_users,email_outbox,mfa_challenges,recovery_codes,refresh_tokens,revocation_events,revoked_access_tokens,sessions,signing_keys,tracked_stock,tracking_requests", await tables.ExecuteScalarAsync());
    }

    [Fact]
    [NeedsTestServers(TestServers.PostgresVariable)]
    public async Task Migrate_creates_a_missing_postgresql_database_and_prints_only_its_result()
    {
        await using var database = ThrowawayDatabase.Named("cream_missing");

        var result = await ServiceProcess.RunAsync(_folder.Path, Environment("Production", database.ConnectionString), "migrate");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Database migrated.", result.StandardOutput.Trim());
        Assert.Empty(result.StandardError);
    }

    [Fact]
    public async Task Migrate_against_an_unreachable_database_fails_with_one_line()
    {
        var environment = Environment("Production", "Host=127.0.0.1;Port=1;Database=nowhere;Timeout=2");

        var result = await ServiceProcess.RunAsync(_folder.Path, environment, "migrate");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("migrate: the database is unavailable", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serving_with_keys_in_an_unreachable_database_stops_with_one_line()
    {
        var environment = Environment("Production", "Host=127.0.0.1;Port=1;Database=nowhere;Timeout=2");
        environment["Jwt__Algorithm"] = "ES256"; // the keys live in the database, which start-up must read

        var result = await ServiceProcess.RunAsync(_folder.Path, environment);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Cream.Api: the database is unavailable", line, StringComparison.Ordinal);
        // The framework's own log lines may say more about the failed connection; the process does not crash.
        Assert.DoesNotContain("Unhandled exception", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_every_command_and_exits_without_serving(string argument)
    {
        var result = await ServiceProcess.RunAsync(_folder.Path, Environment("Production"), argument);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.StandardError);
        Assert.StartsWith("Usage: Cream.Api", result.StandardOutput, StringComparison.Ordinal);
        foreach (var command in new[] { "migrate", "create-admin --email E --password P", "rotate-key", "--help" })
        {
            Assert.Contains(command, result.StandardOutput, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Now listening", result.StandardOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "App_Data")));
    }

    [Fact]
    public async Task An_unknown_command_prints_one_line_and_the_usage_and_exits_2()
    {
        var result = await ServiceProcess.RunAsync(_folder.Path, Environment("Production"), "frobnicate");

        Assert.Equal(2, result.ExitCode);
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Unknown command 'frobnicate'", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Usage: Cream.Api", lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, line => line.Contains("rotate-key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Jwt__AccessTokenMinutes", "abc", "Jwt__AccessTokenMinutes must be a whole number from 1 to 1440.")]
    [InlineData("Jwt__AccessTokenMinutes", "0", "Jwt__AccessTokenMinutes must be a whole number from 1 to 1440.")]
    [InlineData("Jwt__RefreshTokenDays", "1e3", "Jwt__RefreshTokenDays must be a whole number from 1 to 365.")]
    [InlineData("Revocation__ResyncSeconds", "1.5", "Revocation__ResyncSeconds must be a whole number from 1 to 3600.")]
    [InlineData("RateLimits__PerIpPerMinute", "-1", "RateLimits__PerIpPerMinute must be a whole number from 1 to 1000000000.")]
    [InlineData("Audit__RetentionDays", "99999999999", "Audit__RetentionDays must be a whole number from 1 to 3650.")]
    [InlineData("Passwords__HashQueueSeconds", "", "Passwords__HashQueueSeconds must be a whole number from 0 to 60.")]
    [InlineData("Jwt__Algorithm", "none", "Jwt__Algorithm 'none' is not supported: use HS256, RS256 or ES256.")]
    [InlineData("Metrics__AllowedNetworks", "10.0.0.0/99", "Metrics__AllowedNetworks must be comma-separated networks")]
    [InlineData("Accounts__PublicBaseUrl", "cream.example.com", "Accounts__PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("Accounts__PublicBaseUrl", "ftp://cream.example.com", "Accounts__PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("Accounts__PublicBaseUrl", "https://cream.example.com/?next=1", "Accounts__PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("Accounts__LinkBaseUrl", "/account", "Accounts__LinkBaseUrl must be an absolute http or https URL")]
    [InlineData("ASPNETCORE_URLS", "localhost:5080", "ASPNETCORE_URLS: 'localhost:5080' is not a listen address")]
    [InlineData("ASPNETCORE_URLS", "http://127.0.0.1:70000", "ASPNETCORE_URLS: 'http://127.0.0.1:70000' is not a listen address")]
    public async Task An_unreadable_or_out_of_range_setting_stops_the_service_with_one_line_naming_it(string key, string value, string expected)
    {
        var environment = Environment("Production", $"Data Source={Path.Combine(_folder.Path, "settings.db")}");
        environment[key] = value;

        var result = await ServiceProcess.RunAsync(_folder.Path, environment);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_bad_settings_are_named_together_on_one_line()
    {
        var environment = Environment("Production", $"Data Source={Path.Combine(_folder.Path, "settings.db")}");
        environment["Jwt__ClockSkewSeconds"] = "soon";
        environment["Audit__PruneIntervalMinutes"] = "0";

        var result = await ServiceProcess.RunAsync(_folder.Path, environment);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Jwt__ClockSkewSeconds must be a whole number from 0 to 300.", line, StringComparison.Ordinal);
        Assert.Contains("Audit__PruneIntervalMinutes must be a whole number from 1 to 1440.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Started_from_another_folder_the_service_keeps_its_own_settings_and_says_which_database_it_uses()
    {
        var database = Path.Combine(_folder.Path, "elsewhere.db");
        var environment = Environment("Production", $"Data Source={database}");
        // Only appsettings.json beside the program quiets the framework's per-request lines.
        environment["Logging__LogLevel__Default"] = "Information";
        environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information"; // prints the bound address
        environment.Remove("DataDirectory");

        using var process = Process.Start(ServiceProcess.StartInfo(_folder.Path, environment))!;
        var output = new List<string>();
        try
        {
            var url = await ServiceProcess.WaitForListeningAddressAsync(process, output);
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            for (var i = 0; i < 5; i++)
            {
                using var root = await client.GetAsync(new Uri("/", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, root.StatusCode);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        output.AddRange((await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var text = string.Join('\n', output);
        Assert.DoesNotContain("Request starting", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Executed DbCommand", text, StringComparison.Ordinal);
        Assert.Single(output, line => line.Contains($"Database: SQLite file {database}", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "App_Data")));
    }

    private Dictionary<string, string> Environment(string name, string? connectionString = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = name,
            ["DataDirectory"] = _folder.Path,
            ["Passwords__Iterations"] = CreamApiFactory.TestPasswordIterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (connectionString is not null)
        {
            environment["ConnectionStrings__Cream"] = connectionString;
            environment["Jwt__Secret"] = _secret;
        }

        return environment;
    }

    /// <summary>The service in process over a database file the commands prepared.</summary>
    private WebApplicationFactory<Program> ServiceOn(string database) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:Cream", $"Data Source={database};Pooling=False");
            builder.UseSetting("Jwt:Secret", _secret);
            builder.UseSetting("Passwords:Iterations", CreamApiFactory.TestPasswordIterations.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
}
