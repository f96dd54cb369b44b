using Cream.Api.Audit;
using Cream.Api.Auth.Keys;
using Cream.Api.Auth.Sessions;
using Cream.Api.StockData;
using Cream.Api.Users;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Data;

/// <summary>
/// The one database of the service. The application always asks for this type; a
/// provider-specific subclass (<see cref="SqliteCreamDbContext"/>, <see cref="PostgresCreamDbContext"/>)
/// is registered behind it so that each provider keeps its own migrations.
/// </summary>
public abstract class CreamDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<AppUser> Users => Set<AppUser>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<RevokedAccessToken> RevokedAccessTokens => Set<RevokedAccessToken>();
    public DbSet<TrackedStock> TrackedStocks => Set<TrackedStock>();
    public DbSet<TrackingRequest> TrackingRequests => Set<TrackingRequest>();
    public DbSet<StoredSigningKey> SigningKeys => Set<StoredSigningKey>();
    public DbSet<AuthEvent> AuthEvents => Set<AuthEvent>();

    /// <summary>ASP.NET Core Data Protection's key ring, shared by every instance (it encrypts stored signing keys).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CreamDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>(key =>
        {
            key.ToTable("data_protection_keys");
            key.Property(k => k.Id).HasColumnName("id");
            key.Property(k => k.FriendlyName).HasColumnName("friendly_name");
            key.Property(k => k.Xml).HasColumnName("xml");
        });
    }
}

public sealed class SqliteCreamDbContext(DbContextOptions<SqliteCreamDbContext> options) : CreamDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // SQLite stores timestamps as text without a zone; every timestamp we write is UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}

public sealed class PostgresCreamDbContext(DbContextOptions<PostgresCreamDbContext> options) : CreamDbContext(options);
