/** Installation settings: the whole object to read, one key at a time to write. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiPaths, Settings, SettingWriteResponse, type SettingWrite } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export { Settings, type SettingWrite };

export const useSettings = () => useQuery({ queryKey: ['admin', 'settings'], queryFn: () => api(apiPaths.settings, { schema: Settings }), retry: false });

export function useSaveSetting() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ key, value }: SettingWrite) => api(apiPaths.setting(key), { method: 'PUT', body: { value: Settings.shape[key].parse(value) }, schema: SettingWriteResponse }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['admin', 'settings'] }),
  });
}
