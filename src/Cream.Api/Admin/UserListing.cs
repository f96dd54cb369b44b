using System.Linq.Expressions;
using System.Text;
using Cream.Api.Common;
using Cream.Api.Users;

namespace Cream.Api.Admin;

/// <summary>
/// The admin user list's order and filter: the email key (<c>normalized_email</c>, unique and
/// compared byte by byte on both providers), so a prefix is one range of its index and a page
/// after a cursor is the next stretch of the same range.
/// </summary>
internal static class UserListing
{
    private const string CursorList = "admin-users";

    public sealed record KeyedProfile(string Key, UserProfile Profile);

    public static readonly Expression<Func<AppUser, KeyedProfile>> Keyed = u => new KeyedProfile(u.NormalizedEmail,
        new UserProfile(u.Id, u.Email, u.FirstName, u.LastName, u.Roles, u.IsActive, u.IsVerified, u.CreatedAt, u.LastLogin, u.TwoFactorEnabled));

    /// <summary>Keys that start with <paramref name="prefix"/>: a range [prefix, the next prefix), which the index serves.</summary>
    public static IQueryable<AppUser> WithEmailPrefix(IQueryable<AppUser> users, string prefix)
    {
        users = users.Where(u => u.NormalizedEmail.CompareTo(prefix) >= 0);
        return NextPrefix(prefix) is { } above
            ? users.Where(u => u.NormalizedEmail.CompareTo(above) < 0)
            : users.Where(u => u.NormalizedEmail.StartsWith(prefix)); // the rare key whose last character cannot be stepped
    }

    /// <summary>
    /// The least string above every string that starts with <paramref name="prefix"/> in code point
    /// order (the byte order of UTF-8): the last character stepped by one. Null when stepping would
    /// leave the plane or land on a surrogate.
    /// </summary>
    internal static string? NextPrefix(string prefix)
    {
        var last = prefix[^1];
        return char.IsSurrogate(last) || last is '\uD7FF' or '\uFFFF' ? null : prefix[..^1] + (char)(last + 1);
    }

    public static string SealCursor(PageCursors cursors, string key) => cursors.Seal(CursorList, Encoding.UTF8.GetBytes(key));

    /// <summary>The email key a cursor holds; null when it is not a cursor of this list.</summary>
    public static string? OpenCursor(PageCursors cursors, string cursor)
    {
        var position = cursors.Open(CursorList, cursor);
        if (position is null || position.Length > AppUserConfiguration.EmailMaxLength * 4)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(position);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
