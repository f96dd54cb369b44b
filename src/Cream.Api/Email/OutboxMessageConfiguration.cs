using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.Email;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    /// <summary>RFC 5321's longest forward path, less its angle brackets.</summary>
    public const int RecipientMaxLength = 254;
    public const int SubjectMaxLength = 200;
    public const int LastErrorMaxLength = 256;

    public void Configure(EntityTypeBuilder<OutboxMessage> entry)
    {
        entry.ToTable("email_outbox");
        entry.HasKey(m => m.Id);
        entry.Property(m => m.Id).HasColumnName("id").ValueGeneratedNever();
        entry.Property(m => m.Recipient).HasColumnName("recipient").HasMaxLength(RecipientMaxLength);
        entry.Property(m => m.Subject).HasColumnName("subject").HasMaxLength(SubjectMaxLength);
        entry.Property(m => m.Text).HasColumnName("text");
        entry.Property(m => m.Html).HasColumnName("html");
        entry.Property(m => m.CreatedAt).HasColumnName("created_at");
        entry.Property(m => m.Attempts).HasColumnName("attempts");
        entry.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
        entry.Property(m => m.ClaimedUntil).HasColumnName("claimed_until");
        entry.Property(m => m.SentAt).HasColumnName("sent_at");
        entry.Property(m => m.FailedAt).HasColumnName("failed_at");
        entry.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(LastErrorMaxLength);

        // The sender's query: messages still to send, by when they are due. Only those rows are
        // indexed, so the index stays as small as the queue whatever the history kept.
        entry.HasIndex(m => m.NextAttemptAt).HasDatabaseName("ix_email_outbox_pending")
            .HasFilter("sent_at IS NULL AND failed_at IS NULL");
        // Retention: finished rows are found by age (a message is never finished before it was created).
        entry.HasIndex(m => m.CreatedAt).HasDatabaseName("ix_email_outbox_created_at");
    }
}
