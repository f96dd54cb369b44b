using Cream.Api.Audit;
using Cream.Api.Auth;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.Revocation;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Admin;

/// <summary>
/// <c>create-admin --email E --password P [--promote]</c>: creates that user with the admin role.
/// An existing account is refused unless <c>--promote</c>, which also replaces its password and
/// ends its sessions. Email and password follow the same rules as a signup.
/// </summary>
internal static class CreateAdminCommand
{
    public static async Task<string> RunAsync(IServiceProvider services, string email, string password, bool promote, CancellationToken cancellationToken)
    {
        var checkedEmail = EmailAddress.Check(email, out var emailProblem)
            ?? throw new CommandException($"create-admin: --email is refused: {emailProblem}");
        if (PasswordPolicy.Problem(password, checkedEmail) is { } passwordProblem)
        {
            throw new CommandException($"create-admin: --password is refused: {passwordProblem}");
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<AppUser>>();
        var normalized = EmailAddress.Key(email);
        var now = time.GetUtcNow().UtcDateTime;

        var existing = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized)
            .Select(u => new { u.Id, u.Email, u.Roles }).FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            if (!promote)
            {
                // Anyone may have signed up with this email, with a password of their own.
                throw new CommandException(
                    $"create-admin: {existing.Email} already has an account; add --promote to make it the admin, with this password and none of its sessions.");
            }

            return await PromoteAsync(scope.ServiceProvider, existing.Id, existing.Email, existing.Roles, password, cancellationToken);
        }

        var user = new AppUser
        {
            Id = Guid.CreateVersion7(),
            Email = checkedEmail,
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

    /// <summary>
    /// Gives an existing account the admin role and the operator's password, and ends every
    /// session and token it has, so whoever registered the email first keeps no access.
    /// </summary>
    private static async Task<string> PromoteAsync(
        IServiceProvider services, Guid userId, string email, List<string> roles, string password, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<CreamDbContext>();
        var revoker = services.GetRequiredService<Revoker>();
        var time = services.GetRequiredService<TimeProvider>();
        var hash = await services.GetRequiredService<PasswordService>().HashAsync(password, cancellationToken);
        var granted = !roles.Contains(Roles.Admin);
        List<string> withAdmin = granted ? [.. roles, Roles.Admin] : roles;
        await revoker.InTransactionAsync(async token =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.PasswordHash, hash)
                .SetProperty(u => u.Roles, withAdmin)
                .SetProperty(u => u.IsVerified, true)
                .SetProperty(u => u.UpdatedAt, now), token);
            await revoker.EndEverySessionAsync(userId, active: true, "admin_promoted", token);
        }, cancellationToken);
        if (granted)
        {
            await AuditGrantAsync(services, userId);
        }

        var logger = services.GetRequiredService<ILogger<AppUser>>();
        Log.AdminRoleGranted(logger, userId);
        return $"User {email} is now an admin with the given password; its earlier sessions and tokens are ended.";
    }

    /// <summary>From the command line there is no acting admin and no request: the row says so by leaving them empty.</summary>
    private static Task AuditGrantAsync(IServiceProvider services, Guid userId) =>
        services.GetRequiredService<AuditTrail>().SucceededAsync(AuthEventTypes.RolesChanged, userId, reason: "+" + Roles.Admin);
}
