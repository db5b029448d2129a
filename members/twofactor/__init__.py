"""Two-step sign-in (TOTP, with one-time recovery codes) built on django-otp.

- `policy`: who must give the second factor and whether this session has (the requirement
  follows the user's privileges, compared per request through the user's privilege stamp);
- `middleware`: sends a signed-in user who needs it to the code page (or to set-up);
- `services`: every write (a device started, confirmed, recovery codes, turning it off);
- `forms`, `views`, `urls`: the pages under /accounts/2fa/.

It lives in the members app because the policy is about members' roles (`members.roles`)."""
