using Cream.Api.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.Audit;

internal sealed class AuthEventConfiguration : IEntityTypeConfiguration<AuthEvent>
{
    public const int TypeMaxLength = 32;
    public const int RequestIdMaxLength = 64;
    public const int ReasonMaxLength = 64;

    public void Configure(EntityTypeBuilder<AuthEvent> entry)
    {
        // No foreign keys: the trail outlives the users and sessions it mentions.
        entry.ToTable("auth_events");
        entry.HasKey(e => e.Id);
        entry.Property(e => e.Id).HasColumnName("id").ValueGeneratedOnAdd();
        entry.Property(e => e.OccurredAt).HasColumnName("occurred_at");
        entry.Property(e => e.Type).HasColumnName("type").HasMaxLength(TypeMaxLength);
        entry.Property(e => e.Outcome).HasColumnName("outcome").HasMaxLength(16);
        entry.Property(e => e.UserId).HasColumnName("user_id");
        entry.Property(e => e.SessionId).HasColumnName("session_id");
        entry.Property(e => e.ActorId).HasColumnName("actor_id");
        entry.Property(e => e.ClientIp).HasColumnName("client_ip").HasMaxLength(64);
        entry.Property(e => e.UserAgent).HasColumnName("user_agent").HasMaxLength(ClientInfo.UserAgentMaxLength);
        entry.Property(e => e.RequestId).HasColumnName("request_id").HasMaxLength(RequestIdMaxLength);
        entry.Property(e => e.Reason).HasColumnName("reason").HasMaxLength(ReasonMaxLength);
        // The list's order (newest first, id breaking ties), its time range, and retention by age.
        entry.HasIndex(e => new { e.OccurredAt, e.Id }).HasDatabaseName("ix_auth_events_occurred_at");
        entry.HasIndex(e => new { e.UserId, e.Id }).HasDatabaseName("ix_auth_events_user_id");
        // A type can hold millions of events: its index keeps them in the list's order, so a page of the
        // newest is read from its front whether the type is common or rare (ADR 24).
        entry.HasIndex(e => new { e.Type, e.OccurredAt, e.Id }).HasDatabaseName("ix_auth_events_type");
        // The user filter matches the subject or the actor; each side has its own index.
        entry.HasIndex(e => new { e.ActorId, e.Id }).HasDatabaseName("ix_auth_events_actor_id");
        entry.HasIndex(e => new { e.RequestId, e.Id }).HasDatabaseName("ix_auth_events_request_id");
    }
}
