/** Sign-in. Errors say what went wrong without saying which half of the credentials was wrong. */
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { LoginRequest } from '../../../../../domain/api';
import { ApiError, errorMessage } from '../../../lib/api-client';
import { useLogin, useUser } from '../../../lib/auth';

/** Only same-app paths, so a crafted link cannot send someone elsewhere after they sign in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const [params] = useSearchParams();
  const user = useUser();
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [otp, setOtp] = useState('');
  const needsCode = login.error instanceof ApiError && login.error.is('mfaRequired');
  const [askCode, setAskCode] = useState(false);
  if (needsCode && !askCode) setAskCode(true);
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string; otp?: string }>({});

  if (user) return <Navigate to={safeNext(params.get('next'))} replace />;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = LoginRequest.safeParse({ email, password, ...(askCode && otp.trim() ? { otp: otp.trim() } : {}) });
    if (!parsed.success) {
      const errs: typeof fieldErrors = {};
      for (const issue of parsed.error.issues) {
        if (issue.path[0] === 'email') errs.email = 'Enter the email address you sign in with';
        if (issue.path[0] === 'password') errs.password = 'Enter your password';
        if (issue.path[0] === 'otp') errs.otp = 'Enter the six-digit code or a recovery code';
      }
      setFieldErrors(errs);
      return;
    }
    setFieldErrors({});
    login.mutate(parsed.data);
  };

  const failure =
    needsCode
      ? null
      : login.error instanceof ApiError && login.error.is('invalidCredentials')
      ? askCode
        ? 'That email, password or code is not right.'
        : 'That email and password do not match an active account.'
      : login.error instanceof ApiError && login.error.is('rateLimited')
        ? 'Too many failed attempts: sign-in is locked for a while. Try again later or ask an admin to unlock your account.'
        : login.error
          ? errorMessage(login.error)
          : null;

  return (
    <Center mih="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={380} component="main">
        <form onSubmit={submit} noValidate aria-labelledby="login-title">
          <Stack>
            <div>
              <Title order={1} size="h2" id="login-title">
                Tactful
              </Title>
              <Text c="dimmed" size="sm">
                Sign in to work the follow-ups.
              </Text>
            </div>
            {failure ? (
              <Alert color="red" role="alert">
                {failure}
              </Alert>
            ) : null}
            <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldErrors.email} data-autofocus autoFocus />
            <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={fieldErrors.password} />
            {askCode ? (
              <TextInput
                label="Code from your authenticator app"
                description="Or one of your recovery codes"
                autoComplete="one-time-code"
                inputMode="numeric"
                required
                value={otp}
                onChange={(e) => setOtp(e.currentTarget.value)}
                error={fieldErrors.otp}
                autoFocus
              />
            ) : null}
            <Button type="submit" loading={login.isPending} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
