using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Cream.Api.Audit;
using Cream.Api.Auth.Keys;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Sessions;
using Cream.Api.Auth.TwoFactor;
using Cream.Api.Email;
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
    public DbSet<DeletedUser> DeletedUsers => Set<DeletedUser>();
    public DbSet<RevocationEvent> RevocationEvents => Set<RevocationEvent>();
    public DbSet<TrackedStock> TrackedStocks => Set<TrackedStock>();
    public DbSet<TrackingRequest> TrackingRequests => Set<TrackingRequest>();
    public DbSet<StoredSigningKey> SigningKeys => Set<StoredSigningKey>();
    public DbSet<AuthEvent> AuthEvents => Set<AuthEvent>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();
    public DbSet<MfaChallenge> MfaChallenges => Set<MfaChallenge>();

    /// <summary>ASP.NET Core Data Protection's key ring, shared by every instance (it encrypts stored signing keys).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>
    /// Waits until no other transaction holds the lock called <paramref name="name"/>, then holds it
    /// until the current transaction ends: transactions that take the same lock run one after the
    /// other, each seeing what the one before committed. For checks across rows (no row lock covers
    /// "the other admins"); take it first in the transaction, before any row lock.
    /// </summary>
    /// <remarks>
    /// On SQLite a transaction already holds the database's only write lock from its start
    /// (Microsoft.Data.Sqlite begins it with <c>BEGIN IMMEDIATE</c>), so transactions are in turn
    /// anyway and there is nothing more to take.
    /// </remarks>
    public virtual Task HoldTransactionLockAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Database.CurrentTransaction is null
            ? throw new InvalidOperationException("A transaction lock needs a transaction to last for.")
            : Task.CompletedTask;
    }

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

public sealed class PostgresCreamDbContext(DbContextOptions<PostgresCreamDbContext> options) : CreamDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // The email key is compared byte by byte, whatever the database's locale: its unique index
        // then serves prefix ranges and keyset pages in the order SQLite (BINARY) gives them too.
        modelBuilder.Entity<AppUser>().Property(u => u.NormalizedEmail).UseCollation("C");
    }

    /// <summary>A transaction-scoped advisory lock, keyed by the first 64 bits of the name's SHA-256 (the same on every instance).</summary>
    public override async Task HoldTransactionLockAsync(string name, CancellationToken cancellationToken)
    {
        await base.HoldTransactionLockAsync(name, cancellationToken);
        var key = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", cancellationToken);
    }
}
