using System.Net;
using System.Security.Cryptography;
using Cream.Api.Data;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Common;

/// <summary>Readiness tells a load balancer the truth: no traffic to an instance whose database is not migrated.</summary>
[NeedsTestServers(TestServers.PostgresVariable)]
public sealed class ReadinessTests : IAsyncLifetime
{
    private ThrowawayDatabase _database = null!;

    public async Task InitializeAsync() => _database = await ThrowawayDatabase.CreateAsync("cream_unmigrated");

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Readiness_is_503_with_the_reason_until_the_database_is_migrated()
    {
        await using var service = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:Cream", _database.ConnectionString);
            builder.UseSetting("Jwt:Secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
        });
        var client = service.CreateClient();

        using var before = await client.GetAsync("/health/ready");
        using var live = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Matches("^Unhealthy: [0-9]+ database migrations are pending: run the migrate command.$", await before.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode); // the process itself is fine: no restart loop

        var options = new DbContextOptionsBuilder<PostgresCreamDbContext>().UseNpgsql(_database.ConnectionString).Options;
        await using (var db = new PostgresCreamDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        using var after = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("Healthy", await after.Content.ReadAsStringAsync());
    }
}
