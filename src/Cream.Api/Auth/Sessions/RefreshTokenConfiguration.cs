using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.Auth.Sessions;

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> token)
    {
        token.ToTable("refresh_tokens");
        token.HasKey(t => t.Id);
        token.Property(t => t.Id).HasColumnName("id").ValueGeneratedNever();
        token.Property(t => t.SessionId).HasColumnName("session_id");
        token.HasOne<Session>().WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
        token.HasIndex(t => t.SessionId).HasDatabaseName("ix_refresh_tokens_session_id");
        token.Property(t => t.TokenHash).HasColumnName("token_hash").HasMaxLength(32);
        token.HasIndex(t => t.TokenHash).IsUnique().HasDatabaseName("ux_refresh_tokens_token_hash");
        token.Property(t => t.CreatedAt).HasColumnName("created_at");
        token.Property(t => t.ExpiresAt).HasColumnName("expires_at");
        token.Property(t => t.ConsumedAt).HasColumnName("consumed_at");
        token.Property(t => t.SuccessorId).HasColumnName("successor_id");
        token.Property(t => t.SuccessorCiphertext).HasColumnName("successor_ciphertext").HasMaxLength(256);
        // Retention deletes rotated tokens by expiry; the live one of each session is left out.
        token.HasIndex(t => t.ExpiresAt).HasDatabaseName("ix_refresh_tokens_consumed_expires_at")
            .HasFilter("consumed_at IS NOT NULL");
    }
}

internal sealed class RevokedAccessTokenConfiguration : IEntityTypeConfiguration<RevokedAccessToken>
{
    public void Configure(EntityTypeBuilder<RevokedAccessToken> token)
    {
        token.ToTable("revoked_access_tokens");
        token.HasKey(t => t.TokenId);
        token.Property(t => t.TokenId).HasColumnName("jti").HasMaxLength(64);
        token.Property(t => t.UserId).HasColumnName("user_id");
        token.Property(t => t.ExpiresAt).HasColumnName("expires_at");
        token.Property(t => t.RevokedAt).HasColumnName("revoked_at");
        token.HasIndex(t => t.ExpiresAt).HasDatabaseName("ix_revoked_access_tokens_expires_at");
    }
}
