using Cream.Api.Auth.Passwords;
using Cream.Api.Users;

namespace Cream.Api.Auth;

internal static class SignupValidation
{
    public static Dictionary<string, string[]> Validate(SignupRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var email = EmailAddress.Check(request.Email, out var emailProblem);
        if (emailProblem is not null)
        {
            errors["email"] = [emailProblem];
        }

        if (PasswordPolicy.Problem(request.Password, email) is { } passwordProblem)
        {
            errors["password"] = [passwordProblem];
        }

        CheckName(errors, "first_name", request.FirstName);
        CheckName(errors, "last_name", request.LastName);
        return errors;
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
