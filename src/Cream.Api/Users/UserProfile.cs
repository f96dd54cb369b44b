using System.Linq.Expressions;

namespace Cream.Api.Users;

/// <summary>A user as the API shows them: to themselves (<c>/api/auth/me</c>) and to admins.</summary>
public sealed record UserProfile(
    Guid Id,
    string Email,
    string FirstName,
    string LastName,
    IReadOnlyList<string> Roles,
    bool IsActive,
    bool IsVerified,
    DateTime CreatedAt,
    DateTime? LastLogin,
    bool TwoFactorEnabled)
{
    /// <summary>The projection EF Core translates, so reads select only these columns.</summary>
    public static readonly Expression<Func<AppUser, UserProfile>> FromUser = u =>
        new UserProfile(u.Id, u.Email, u.FirstName, u.LastName, u.Roles, u.IsActive, u.IsVerified, u.CreatedAt, u.LastLogin, u.TwoFactorEnabled);
}
