using System.Net.Mail;
using Cream.Api.Auth.Passwords;
using Cream.Api.Users;

namespace Cream.Api.Auth;

internal static class SignupValidation
{
    public static Dictionary<string, string[]> Validate(SignupRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!IsValidEmail(request.Email))
        {
            errors["email"] = ["A valid email address is required."];
        }

        if (!IsValidPassword(request.Password))
        {
            errors["password"] = [$"Password must be {PasswordOptions.MinimumLength} to {PasswordOptions.MaximumLength} characters."];
        }

        CheckName(errors, "first_name", request.FirstName);
        CheckName(errors, "last_name", request.LastName);
        return errors;
    }

    public static bool IsValidPassword(string? password) =>
        password is { Length: >= PasswordOptions.MinimumLength and <= PasswordOptions.MaximumLength };

    /// <summary>A plain <c>local@domain.tld</c> address without display name or spaces.</summary>
    public static bool IsValidEmail(string? email)
    {
        if (email is null)
        {
            return false;
        }

        email = email.Trim();
        if (email.Length is 0 or > AppUserConfiguration.EmailMaxLength || email.Any(char.IsWhiteSpace))
        {
            return false;
        }

        var at = email.LastIndexOf('@');
        return MailAddress.TryCreate(email, out var address)
            && string.Equals(address.Address, email, StringComparison.Ordinal)
            && at > 0
            && email.IndexOf('.', at) > at + 1
            && !email.EndsWith('.');
    }

    private static void CheckName(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > AppUserConfiguration.NameMaxLength
            || value.Any(char.IsControl))
        {
            errors[field] = [$"{field} is required: 1 to {AppUserConfiguration.NameMaxLength} characters."];
        }
    }
}
