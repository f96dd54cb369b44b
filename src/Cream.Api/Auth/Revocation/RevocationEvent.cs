using Cream.Api.Auth.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// One revocation as the resync reads it: written in the transaction that revokes, numbered by
/// the database, deleted once no live access token can match it. The change a resync applies
/// is exactly the <see cref="StateChange"/> the revoking instance published.
/// </summary>
public sealed class RevocationEvent
{
    /// <summary>Given by the database (an identity on PostgreSQL, AUTOINCREMENT on SQLite: never reused).</summary>
    public long Sequence { get; set; }

    public StateChangeKind Kind { get; set; }

    /// <summary>The user or session id, or the <c>jti</c>.</summary>
    public string Subject { get; set; } = string.Empty;

    public long Seconds { get; set; }
    public bool Active { get; set; }
    public long Version { get; set; }

    /// <summary>When it was written; past one token lifetime (plus skew and margin) it is pruned.</summary>
    public DateTime CreatedAt { get; set; }

    public StateChange ToChange() => new(Kind, Subject, Seconds, Active, Version);

    public static RevocationEvent From(StateChange change, DateTime createdAt)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new RevocationEvent
        {
            Kind = change.Kind,
            Subject = change.Id,
            Seconds = change.Seconds,
            Active = change.Active,
            Version = change.Version,
            CreatedAt = createdAt,
        };
    }
}

internal sealed class RevocationEventConfiguration : IEntityTypeConfiguration<RevocationEvent>
{
    public void Configure(EntityTypeBuilder<RevocationEvent> change)
    {
        change.ToTable("revocation_events");
        change.HasKey(e => e.Sequence);
        change.Property(e => e.Sequence).HasColumnName("seq").ValueGeneratedOnAdd();
        change.Property(e => e.Kind).HasColumnName("kind");
        change.Property(e => e.Subject).HasColumnName("subject").HasMaxLength(64);
        change.Property(e => e.Seconds).HasColumnName("seconds");
        change.Property(e => e.Active).HasColumnName("active");
        change.Property(e => e.Version).HasColumnName("version");
        change.Property(e => e.CreatedAt).HasColumnName("created_at");
        change.HasIndex(e => e.CreatedAt).HasDatabaseName("ix_revocation_events_created_at");
    }
}
