// A fresh sign-in link for someone who lost theirs or forgot their password.
import { useMutation } from '@tanstack/react-query';
import { authRequest } from '../../api/auth-client';

export const newSignInLink = (personId: string) =>
  authRequest<{ signInLink: string }>('POST', `/people/${encodeURIComponent(personId)}/sign-in-link`);

export const useNewSignInLink = () => useMutation({ mutationFn: newSignInLink });
