using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.Auth.Keys;

/// <summary>
/// An asymmetric signing key kept in the database, its private part encrypted with ASP.NET
/// Core Data Protection. It signs from <see cref="ActivatesAt"/> (once every instance has had
/// time to learn it) and verifies until <see cref="RetiresAt"/>.
/// </summary>
public sealed class StoredSigningKey
{
    public required string KeyId { get; set; }
    public required string Algorithm { get; set; }
    public required string ProtectedPrivateKey { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ActivatesAt { get; set; }
    public DateTime? RetiresAt { get; set; }
}

internal sealed class StoredSigningKeyConfiguration : IEntityTypeConfiguration<StoredSigningKey>
{
    public void Configure(EntityTypeBuilder<StoredSigningKey> key)
    {
        key.ToTable("signing_keys");
        key.HasKey(k => k.KeyId);
        key.Property(k => k.KeyId).HasColumnName("kid").HasMaxLength(64);
        key.Property(k => k.Algorithm).HasColumnName("algorithm").HasMaxLength(16);
        key.Property(k => k.ProtectedPrivateKey).HasColumnName("protected_private_key").HasMaxLength(8192);
        key.Property(k => k.CreatedAt).HasColumnName("created_at");
        key.Property(k => k.ActivatesAt).HasColumnName("activates_at");
        key.Property(k => k.RetiresAt).HasColumnName("retires_at");
    }
}
