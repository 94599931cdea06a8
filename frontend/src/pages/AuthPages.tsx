import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { useMe, useSignIn, useSignUp } from '../api/auth';
import { ApiError } from '../api/client';
import type { Me } from '../api/types';
import { Logo } from '../components/Logo';
import { errorMessage, fieldErrors } from '../lib/errors';
import { usePageTitle } from '../lib/usePageTitle';

function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack gap="lg">
          <Logo />
          <Title order={1} size="h2">
            {title}
          </Title>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}

/** Where a user goes once signed in: back where they came from, else their home page. */
function useAfterSignIn() {
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  return async (me: Me) => {
    const home = me.accounts.length === 0 && me.user.is_support ? '/support' : '/zones';
    await navigate(from && from !== '/' ? from : home, { replace: true });
  };
}

/** An error that names no field (wrong password, rate limit); field errors show at their inputs. */
function GeneralError({ error }: { error: Error | null }) {
  if (!error || (error instanceof ApiError && error.details.length > 0)) return null;
  return (
    <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert">
      {errorMessage(error)}
    </Alert>
  );
}

export function SignInPage() {
  usePageTitle('Sign in');
  const me = useMe();
  const after = useAfterSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useSignIn({ onSuccess: after });
  if (me.data && !signIn.isPending && !signIn.isSuccess) return <Navigate to="/" replace />;
  const errors = fieldErrors(signIn.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ email, password });
  };
  return (
    <AuthFrame title="Sign in">
      <form onSubmit={submit} noValidate aria-label="Sign in">
        <Stack gap="md">
          <GeneralError error={signIn.error} />
          <TextInput
            label="E-mail"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={errors.email}
            data-autofocus
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
          />
          <Button type="submit" loading={signIn.isPending}>
            Sign in
          </Button>
          <Text size="sm">
            New to Vigil?{' '}
            <Anchor component={Link} to="/signup">
              Create an account
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthFrame>
  );
}

export function SignUpPage() {
  usePageTitle('Create an account');
  const me = useMe();
  const after = useAfterSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [accountName, setAccountName] = useState('');
  const signUp = useSignUp({ onSuccess: after });
  if (me.data && !signUp.isPending && !signUp.isSuccess) return <Navigate to="/" replace />;
  const errors = fieldErrors(signUp.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signUp.mutate({ email, password, ...(accountName.trim() ? { account_name: accountName.trim() } : {}) });
  };
  return (
    <AuthFrame title="Create an account">
      <form onSubmit={submit} noValidate aria-label="Create an account">
        <Stack gap="md">
          <GeneralError error={signUp.error} />
          <TextInput
            label="E-mail"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={errors.email}
          />
          <PasswordInput
            label="Password"
            description="At least 10 characters"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
          />
          <TextInput
            label="Account name"
            description="Optional; your e-mail address otherwise"
            value={accountName}
            onChange={(e) => setAccountName(e.currentTarget.value)}
            error={errors.account_name}
          />
          <Button type="submit" loading={signUp.isPending}>
            Create account
          </Button>
          <Text size="sm">
            Have an account?{' '}
            <Anchor component={Link} to="/signin">
              Sign in
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthFrame>
  );
}
