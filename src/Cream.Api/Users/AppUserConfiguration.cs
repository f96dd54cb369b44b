using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.Users;

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public const int EmailMaxLength = 254;
    public const int NameMaxLength = 100;

    public void Configure(EntityTypeBuilder<AppUser> user)
    {
        user.ToTable("app_users");
        user.HasKey(u => u.Id);
        user.Property(u => u.Id).HasColumnName("id").ValueGeneratedNever();
        user.Property(u => u.Email).HasColumnName("email").HasMaxLength(EmailMaxLength);
        user.Property(u => u.NormalizedEmail).HasColumnName("normalized_email").HasMaxLength(EmailMaxLength);
        user.HasIndex(u => u.NormalizedEmail).IsUnique().HasDatabaseName("ux_app_users_normalized_email");
        user.Property(u => u.PasswordHash).HasColumnName("password").HasMaxLength(512);
        user.Property(u => u.FirstName).HasColumnName("first_name").HasMaxLength(NameMaxLength);
        user.Property(u => u.LastName).HasColumnName("last_name").HasMaxLength(NameMaxLength);
        user.Property(u => u.CreatedAt).HasColumnName("created_at");
        user.Property(u => u.UpdatedAt).HasColumnName("updated_at");
        user.Property(u => u.IsVerified).HasColumnName("is_verified");
        user.Property(u => u.IsActive).HasColumnName("is_active");
        user.Property(u => u.LastLogin).HasColumnName("last_login");
        user.Property(u => u.PasswordResetToken).HasColumnName("password_reset_token").HasMaxLength(512);
        user.Property(u => u.PasswordResetExpires).HasColumnName("password_reset_expires");
        user.HasIndex(u => u.PasswordResetToken).HasDatabaseName("ix_app_users_password_reset_token");
        user.Property(u => u.EmailVerificationToken).HasColumnName("email_verification_token").HasMaxLength(64);
        user.Property(u => u.EmailVerificationExpires).HasColumnName("email_verification_expires");
        user.HasIndex(u => u.EmailVerificationToken).HasDatabaseName("ix_app_users_email_verification_token");
        user.Property(u => u.TwoFactorEnabled).HasColumnName("two_factor_enabled");
        user.Property(u => u.TwoFactorSecret).HasColumnName("two_factor_secret").HasMaxLength(512);
        user.Property(u => u.TwoFactorLastStep).HasColumnName("two_factor_last_step");
        user.Property(u => u.TokensValidAfter).HasColumnName("tokens_valid_after");
        // The revocation snapshot at start reads the users cut off within one token lifetime.
        user.HasIndex(u => u.TokensValidAfter).HasDatabaseName("ix_app_users_tokens_valid_after");
        user.Property(u => u.SecurityStamp).HasColumnName("security_stamp");
        user.PrimitiveCollection(u => u.Roles).HasColumnName("roles");
    }
}
