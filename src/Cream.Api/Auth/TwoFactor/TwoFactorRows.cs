using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.Auth.TwoFactor;

/// <summary>
/// One unused recovery code of a user with two-factor on, stored only as a keyed SHA-256 of the
/// code; using it deletes the row. Deleted with the user (foreign key cascade).
/// </summary>
public sealed class RecoveryCode
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required byte[] CodeHash { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A login that passed the password step and waits for its second factor: the <c>mfa_token</c>
/// (stored as its SHA-256), the user and the security stamp the password was checked under, the
/// client that logged in, and the codes tried so far. Deleted when used, or once expired by the
/// next login that creates one; deleted with the user.
/// </summary>
public sealed class MfaChallenge
{
    public Guid Id { get; set; }
    public required byte[] TokenHash { get; set; }
    public Guid UserId { get; set; }
    public long SecurityStamp { get; set; }
    public string? UserAgent { get; set; }
    public int FailedAttempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

internal sealed class RecoveryCodeConfiguration : IEntityTypeConfiguration<RecoveryCode>
{
    public void Configure(EntityTypeBuilder<RecoveryCode> code)
    {
        code.ToTable("recovery_codes");
        code.HasKey(c => c.Id);
        code.Property(c => c.Id).HasColumnName("id").ValueGeneratedNever();
        code.Property(c => c.UserId).HasColumnName("user_id");
        code.HasOne<AppUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        code.Property(c => c.CodeHash).HasColumnName("code_hash").HasMaxLength(32);
        code.HasIndex(c => new { c.UserId, c.CodeHash }).IsUnique().HasDatabaseName("ux_recovery_codes_user_id_code_hash");
        code.Property(c => c.CreatedAt).HasColumnName("created_at");
    }
}

internal sealed class MfaChallengeConfiguration : IEntityTypeConfiguration<MfaChallenge>
{
    public void Configure(EntityTypeBuilder<MfaChallenge> challenge)
    {
        challenge.ToTable("mfa_challenges");
        challenge.HasKey(c => c.Id);
        challenge.Property(c => c.Id).HasColumnName("id").ValueGeneratedNever();
        challenge.Property(c => c.TokenHash).HasColumnName("token_hash").HasMaxLength(32);
        challenge.HasIndex(c => c.TokenHash).IsUnique().HasDatabaseName("ux_mfa_challenges_token_hash");
        challenge.Property(c => c.UserId).HasColumnName("user_id");
        challenge.HasOne<AppUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        challenge.HasIndex(c => c.UserId).HasDatabaseName("ix_mfa_challenges_user_id");
        challenge.Property(c => c.SecurityStamp).HasColumnName("security_stamp");
        challenge.Property(c => c.UserAgent).HasColumnName("user_agent").HasMaxLength(Common.ClientInfo.UserAgentMaxLength);
        challenge.Property(c => c.FailedAttempts).HasColumnName("failed_attempts");
        challenge.Property(c => c.CreatedAt).HasColumnName("created_at");
        challenge.Property(c => c.ExpiresAt).HasColumnName("expires_at");
        challenge.HasIndex(c => c.ExpiresAt).HasDatabaseName("ix_mfa_challenges_expires_at");
    }
}
