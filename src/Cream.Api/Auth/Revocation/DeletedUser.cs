using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// A user deleted less than one access-token lifetime ago (plus skew and a margin): the
/// revocation resync reads these as users whose every token is refused, since the row that
/// would say so is gone. Only the id and the moment, never an email. Rows older than that are
/// deleted by the next deletion, so the table holds the last half hour's deletions at most.
/// </summary>
public sealed class DeletedUser
{
    public Guid UserId { get; set; }
    public DateTime DeletedAt { get; set; }
}

internal sealed class DeletedUserConfiguration : IEntityTypeConfiguration<DeletedUser>
{
    public void Configure(EntityTypeBuilder<DeletedUser> deleted)
    {
        // No foreign key: the user's row is deleted in the same transaction that writes this one.
        deleted.ToTable("deleted_users");
        deleted.HasKey(d => d.UserId);
        deleted.Property(d => d.UserId).HasColumnName("user_id").ValueGeneratedNever();
        deleted.Property(d => d.DeletedAt).HasColumnName("deleted_at");
        deleted.HasIndex(d => d.DeletedAt).HasDatabaseName("ix_deleted_users_deleted_at");
    }
}
