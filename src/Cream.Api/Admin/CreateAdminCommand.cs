using Cream.Api.Audit;
using Cream.Api.Auth;
using Cream.Api.Auth.Passwords;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Admin;

/// <summary>
/// <c>create-admin --email E --password P</c>: creates that user with the admin role, or gives an
/// existing user the role and leaves their password as it is.
/// </summary>
internal static class CreateAdminCommand
{
    public static async Task<string> RunAsync(IServiceProvider services, string email, string password, CancellationToken cancellationToken)
    {
        if (!SignupValidation.IsValidEmail(email))
        {
            throw new CommandException("create-admin: --email must be a valid email address.");
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<AppUser>>();
        var normalized = AppUser.Normalize(email);
        var now = time.GetUtcNow().UtcDateTime;

        var existing = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (existing is not null)
        {
            if (!existing.Roles.Contains(Roles.Admin))
            {
                existing.Roles = [.. existing.Roles, Roles.Admin];
                existing.UpdatedAt = now;
                await db.SaveChangesAsync(cancellationToken);
                await AuditGrantAsync(scope.ServiceProvider, existing.Id);
            }

            Log.AdminRoleGranted(logger, existing.Id);
            return $"User {existing.Email} has the admin role (password unchanged).";
        }

        if (!SignupValidation.IsValidPassword(password))
        {
            throw new CommandException(
                $"create-admin: --password must be {PasswordOptions.MinimumLength} to {PasswordOptions.MaximumLength} characters.");
        }

        var trimmed = email.Trim();
        var user = new AppUser
        {
            Id = Guid.CreateVersion7(),
            Email = trimmed,
            NormalizedEmail = normalized,
            PasswordHash = scope.ServiceProvider.GetRequiredService<PasswordService>().Hash(password),
            FirstName = "Admin",
            LastName = "User",
            CreatedAt = now,
            UpdatedAt = now,
            IsActive = true,
            IsVerified = true,
            Roles = [Roles.Admin],
        };
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        Log.AdminCreated(logger, user.Id);
        await AuditGrantAsync(scope.ServiceProvider, user.Id);
        return $"Created admin {user.Email}.";
    }

    /// <summary>From the command line there is no acting admin and no request: the row says so by leaving them empty.</summary>
    private static Task AuditGrantAsync(IServiceProvider services, Guid userId) =>
        services.GetRequiredService<AuditTrail>().SucceededAsync(AuthEventTypes.RolesChanged, userId, reason: "+" + Roles.Admin);
}
