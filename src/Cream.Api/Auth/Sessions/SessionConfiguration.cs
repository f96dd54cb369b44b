using Cream.Api.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.Auth.Sessions;

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public const int UserAgentMaxLength = Common.ClientInfo.UserAgentMaxLength;

    /// <summary>A base64url SHA-256 thumbprint is 43 characters.</summary>
    public const int DpopKeyMaxLength = 64;

    public void Configure(EntityTypeBuilder<Session> session)
    {
        session.ToTable("sessions");
        session.HasKey(s => s.Id);
        session.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
        session.Property(s => s.UserId).HasColumnName("user_id");
        session.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        session.HasIndex(s => s.UserId).HasDatabaseName("ix_sessions_user_id");
        session.Property(s => s.CreatedAt).HasColumnName("created_at");
        session.Property(s => s.ExpiresAt).HasColumnName("expires_at");
        // Retention finds expired sessions by age, as it finds ended ones by revoked_at.
        session.HasIndex(s => s.ExpiresAt).HasDatabaseName("ix_sessions_expires_at");
        session.Property(s => s.LastActivity).HasColumnName("last_activity");
        session.Property(s => s.IpAddress).HasColumnName("ip_address").HasMaxLength(64);
        session.Property(s => s.UserAgent).HasColumnName("user_agent").HasMaxLength(UserAgentMaxLength);
        session.Property(s => s.DeviceId).HasColumnName("device_id").HasMaxLength(128);
        session.Property(s => s.IsValid).HasColumnName("is_valid");
        session.Property(s => s.RevokedAt).HasColumnName("revoked_at");
        session.HasIndex(s => s.RevokedAt).HasDatabaseName("ix_sessions_revoked_at");
        session.Property(s => s.Platform).HasColumnName("platform").HasMaxLength(64);
        session.Property(s => s.Browser).HasColumnName("browser").HasMaxLength(64);
        session.Property(s => s.DpopKey).HasColumnName("dpop_jkt").HasMaxLength(SessionConfiguration.DpopKeyMaxLength);
        session.Property(s => s.Amr).HasColumnName("amr").HasMaxLength(64).HasDefaultValue(Tokens.AuthenticationMethods.PasswordValue);
    }
}
